import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseAgentRef, suggestAgentNames } from '../../src/domain/agent-ref.js';
import { fallbackRefusals, MAX_FALLBACK_URL } from '../../src/domain/settings-rules.js';
import { closestNames, didYouMean } from '../../src/domain/suggest.js';
import { capabilitiesOf } from '../../src/providers/registry.js';
import { naturalSortKey } from '../../src/store/sort-key.js';
import { readNumberArguments } from '../../src/cli/read-numbers.js';

/** Input is a number, an agent, a URL or a label and nothing else (issue 11), and labels sort naturally. */

describe('standard input of a batch', () => {
  const read = (bytes: Buffer | string) => readNumberArguments(['-'], Readable.from([typeof bytes === 'string' ? Buffer.from(bytes) : bytes]), false);

  it('keeps each number with its line, blank and comment lines counted, first tab column only', async () => {
    expect(await read('+14155550100\n\n# a comment\n  +14155550101\tretell\tfront desk\r\n+1 415 555 0102\n')).toEqual([
      { text: '+14155550100', line: 1 },
      { text: '+14155550101', line: 4 },
      { text: '+1 415 555 0102', line: 5 },
    ]);
  });

  it('marks a line that is not UTF-8 instead of reading a number out of it; the other lines stay whole', async () => {
    const bytes = Buffer.concat([Buffer.from('+14155550100\n+14042000000'), Buffer.from([0xff]), Buffer.from('\n+1 415 555 0102 caf\u00e9\n')]);
    const inputs = await read(bytes);
    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toEqual({ text: '+14155550100', line: 1 });
    expect(inputs[1]).toEqual({ text: '+14042000000\uFFFD', line: 2, problem: 'its bytes are not valid UTF-8' });
    // Valid UTF-8 on a line of its own is decoded as such, even beside a bad line.
    expect(inputs[2]).toEqual({ text: '+1 415 555 0102 caf\u00e9', line: 3 });
  });

  it('takes arguments as they are, with no line', async () => {
    expect(await readNumberArguments(['+14155550100', '(415) 555-0101'], Readable.from([]), true)).toEqual([{ text: '+14155550100' }, { text: '(415) 555-0101' }]);
  });
});

describe('closest names', () => {
  const agents = [
    { provider: 'retell' as const, id: 'agent_1', name: 'receptionist', removed: false },
    { provider: 'retell' as const, id: 'agent_2', name: 'Sales', removed: false },
    { provider: 'vapi' as const, id: 'uuid-1', name: 'support', removed: false },
    { provider: 'vapi' as const, id: 'uuid-2', name: 'receptionist-old', removed: true },
  ];

  it('suggests names a few edits away, without regard to case, and nothing for a different word', () => {
    expect(closestNames('recepshionist', ['receptionist', 'sales'])).toEqual(['receptionist']);
    expect(closestNames('SALSE', ['Sales', 'support'])).toEqual(['Sales']);
    expect(closestNames('suport', ['support', 'sport'])).toEqual(['sport', 'support']);
    expect(closestNames('recept', ['receptionist', 'sales'])).toEqual(['receptionist']);
    expect(closestNames('zebra', ['receptionist', 'sales', 'support'])).toEqual([]);
    expect(closestNames('ab', ['xy'])).toEqual([]);
    expect(didYouMean(['a'])).toBe(' (did you mean a?)');
    expect(didYouMean(['a', 'b', 'c'])).toBe(' (did you mean a, b or c?)');
    expect(didYouMean([])).toBe('');
  });

  it('suggests agent names within the provider a reference names, live agents first', () => {
    expect(suggestAgentNames(parseAgentRef('recepshionist'), agents)).toEqual(['receptionist']);
    expect(suggestAgentNames(parseAgentRef('vapi:suport'), agents)).toEqual(['support']);
    expect(suggestAgentNames(parseAgentRef('retell:suport'), agents)).toEqual([]);
    expect(suggestAgentNames(parseAgentRef('vapi:receptionist-ol'), agents)).toEqual(['receptionist-old']);
  });
});

describe('a fallback URL is checked like a label', () => {
  const twilio = capabilitiesOf('twilio');
  const refusals = (url: string) => fallbackRefusals(twilio, '+14155550100', url);

  it('takes http and https addresses', () => {
    expect(refusals('https://example.test/twiml?x=1')).toEqual([]);
    expect(refusals('http://example.test/fallback.xml')).toEqual([]);
    expect(refusals(`https://example.test/${'a'.repeat(MAX_FALLBACK_URL - 'https://example.test/'.length)}`)).toEqual([]);
  });

  it('refuses control characters the URL parser would silently drop', () => {
    expect(refusals('https://ex\nample.test/x')).toEqual(['a fallback URL cannot hold control characters (newlines, tabs, escapes)']);
    expect(refusals('https://example.test/\tx')).toEqual(['a fallback URL cannot hold control characters (newlines, tabs, escapes)']);
    expect(refusals('https://example.test/\u001b[2Jx')).toEqual(['a fallback URL cannot hold control characters (newlines, tabs, escapes)']);
    expect(refusals(' https://example.test/x')).toEqual(['a fallback URL cannot hold spaces; write them as %20']);
  });

  it(`refuses a URL longer than ${MAX_FALLBACK_URL} characters`, () => {
    const long = `https://example.test/${'a'.repeat(MAX_FALLBACK_URL)}`;
    expect(refusals(long)).toEqual([`a fallback URL holds at most ${MAX_FALLBACK_URL} characters; this one has ${MAX_FALLBACK_URL + 21}`]);
  });

  it('refuses other schemes and addresses the parser would only guess at', () => {
    for (const url of ['ftp://example.test/x', 'file:///etc/passwd', 'javascript:alert(1)', 'mailto:ops@example.test', 'http:/example.test', 'https:///example.test', 'example.test/x']) {
      expect(refusals(url), url).toEqual([`a Twilio fallback is a URL (voice_fallback_url) that Twilio fetches TwiML from, not "${url}"`]);
    }
  });
});

describe('natural sort key of a label', () => {
  const sorted = (labels: string[]) => [...labels].sort((a, b) => (naturalSortKey(a)! < naturalSortKey(b)! ? -1 : naturalSortKey(a)! > naturalSortKey(b)! ? 1 : 0));

  it('orders digit runs by value and letters without regard to case', () => {
    expect(sorted(['line 10', 'Line 2', 'line 1', 'LINE 100', 'line 9'])).toEqual(['line 1', 'Line 2', 'line 9', 'line 10', 'LINE 100']);
    expect(sorted(['b2', 'a10', 'A9', 'b1'])).toEqual(['A9', 'a10', 'b1', 'b2']);
    expect(sorted(['v1.10', 'v1.9', 'v1.2'])).toEqual(['v1.2', 'v1.9', 'v1.10']);
    expect(naturalSortKey('line 007')).toBe(naturalSortKey('LINE 7'));
    expect(naturalSortKey(null)).toBeNull();
  });
});
