/** Codecs and steps several features share. */
export * from './codecs'
export * from './quota'
export * from './steps'
