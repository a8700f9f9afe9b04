import { EventEmitter } from 'node:events'
import { expect } from 'chai'
import { noEchoReader, step } from '../../../client/cli/no-echo-reader'

/** A terminal stand-in that records, in order, the mode changes and what was written. */
const aTerminal = () => {
  const events: string[] = []
  const input = Object.assign(new EventEmitter(), {
    setRawMode: (raw: boolean) => events.push(raw ? 'raw' : 'cooked'),
    resume: () => events.push('resume'),
    pause: () => events.push('pause'),
  })
  const output = { write: (text: string) => events.push(`write ${JSON.stringify(text)}`) }
  return { input, events, read: noEchoReader(input, output) }
}

describe('the no-echo line reader', () => {
  it('edits like a terminal: Backspace removes a whole character, Ctrl-U the line, escapes are skipped', () => {
    expect(step('', 'pässw\u00f6rd\x7f\x7fd\r')).to.deep.include({ kind: 'line', line: 'pässwöd' })
    expect(step('', 'junk\x15secret\n')).to.deep.include({ kind: 'line', line: 'secret' })
    expect(step('', 'a\x1b[Db\x1bOAc\x1b[200~d\x1b[201~\r')).to.deep.include({ kind: 'line', line: 'abcd' })
    expect(step('', '🔑x\b\b\r')).to.deep.include({ kind: 'line', line: '' })
  })

  it('keeps what follows Enter (CR LF counts once) and waits for the rest of a split escape sequence', () => {
    expect(step('', 'one\r\ntwo\r')).to.deep.equal({ kind: 'line', line: 'one', rest: 'two\r' })
    expect(step('ab', 'c\x1b[')).to.deep.equal({ kind: 'more', typed: 'abc', rest: '\x1b[' })
  })

  it('reads Ctrl-D on an empty line as the end of input, and ignores it after some text', () => {
    expect(step('', '\x04after')).to.deep.equal({ kind: 'end', rest: 'after' })
    expect(step('', 'ab\x04c\r')).to.deep.include({ kind: 'line', line: 'abc' })
    expect(step('', 'ab\x03')).to.deep.equal({ kind: 'interrupt' })
  })

  it('turns echo off before prompting and back on after the line', async () => {
    const { input, events, read } = aTerminal()
    const line = read('Password: ')
    input.emit('data', Buffer.from('secret\r'))
    expect(await line).to.equal('secret')
    expect(events).to.deep.equal(['raw', 'write "Password: "', 'resume', 'cooked', 'pause', 'write "\\n"'])
  })

  it('keeps a second pasted line for the next prompt, and a UTF-8 character split across chunks whole', async () => {
    const { input, read } = aTerminal()
    const first = read('New password: ')
    const bytes = Buffer.from('pässword\rpässword\r')
    input.emit('data', bytes.subarray(0, 2))
    input.emit('data', bytes.subarray(2))
    expect(await first).to.equal('pässword')
    expect(await read('Repeat the new password: ')).to.equal('pässword')
  })

  it('answers null once the input has ended, and for every later prompt', async () => {
    const { input, read } = aTerminal()
    const first = read('Password: ')
    input.emit('data', 'half typed')
    input.emit('end')
    expect(await first).to.equal(null)
    expect(await read('Password: ')).to.equal(null)
  })
})
