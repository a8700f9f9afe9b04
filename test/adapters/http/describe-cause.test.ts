import { expect } from 'chai'
import { describeCause } from '../../../adapters/http/respond'

describe('what a dependency failure may put in the log', () => {
  it('keeps a database error to its SQLSTATE, table and constraint, never the values its message quotes', () => {
    const error = Object.assign(
      new Error('duplicate key value violates unique constraint: (alice-secret-name)'),
      {
        code: '23505',
        table: 'accounts',
        constraint: 'accounts_username_key',
        detail: 'Key (lower(username))=(alice-secret-name) already exists.',
      },
    )
    const logged = JSON.stringify(describeCause(error))
    expect(logged).not.to.include('alice-secret-name')
    expect(describeCause(error)).to.deep.equal({
      name: 'Error',
      code: '23505',
      table: 'accounts',
      constraint: 'accounts_username_key',
    })
  })

  it('keeps the message of a connection failure, which names the cause operators need', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    expect(describeCause(error)).to.deep.equal({
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
      code: 'ECONNREFUSED',
    })
  })

  it('says only the type of something thrown that is not an Error', () => {
    expect(describeCause('a secret string')).to.deep.equal({ type: 'string' })
  })
})
