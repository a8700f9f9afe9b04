/** A worker for worker-pool tests whose entry fails before it is ready, as a bad build or setup would. */
throw new Error('this worker cannot start')
