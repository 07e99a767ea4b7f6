import { describe, expect, it } from 'vitest';
import { parseAgentRef, matchAgents } from '../../src/domain/agent-ref.js';
import { isStrictE164, toE164 } from '../../src/domain/phone.js';

describe('phone numbers', () => {
  it('reads what operators type into E.164', () => {
    expect(toE164('+1 415 555 1234')).toBe('+14155551234');
    expect(toE164('(415) 555-1234')).toBe('+14155551234');
    expect(toE164('020 7946 0018', 'GB')).toBe('+442079460018');
    expect(toE164('  +353 1 555 0001 ')).toBe('+35315550001');
  });

  it('refuses what is not a phone number, quoting it safely', () => {
    expect(() => toE164('hello')).toThrow(/"hello" is not a phone number/);
    expect(() => toE164('12')).toThrow(/not a phone number/);
    expect(() => toE164('\u001b[2J')).toThrow(/"\?\[2J"/);
  });

  it('accepts the honest forms: E.164, national forms, tel: URIs and the 00 prefix', () => {
    for (const national of ['(415) 555-1234', '415-555-1234', '415.555.1234', '415 555 1234', '4155551234']) expect(toE164(national), national).toBe('+14155551234');
    expect(toE164('+14155551234')).toBe('+14155551234');
    expect(toE164('+1 (415) 555-1234')).toBe('+14155551234');
    expect(toE164('+44 (0) 20 7946 0018')).toBe('+442079460018');
    expect(toE164('tel:+14155551234')).toBe('+14155551234');
    expect(toE164('TEL:+1-415-555-1234')).toBe('+14155551234');
    expect(toE164('tel:+1.(415).555.1234')).toBe('+14155551234');
    expect(toE164('0035315550003')).toBe('+35315550003');
    expect(toE164('00 353 1 555 0003', 'GB')).toBe('+35315550003');
    expect(toE164('011 353 1 555 0003')).toBe('+35315550003');
  });

  it('refuses a number with anything else in it instead of reading the number out of it', () => {
    // libphonenumber alone reads +14042000000 out of every one of these.
    const refusals: [string, RegExp][] = [
      ['+14042000000x', /"\+14042000000x" is not a phone number: "x" is not part of a phone number/],
      ['+1 404 200 0000 ext 5', /is not a phone number: it has an extension/],
      ['+1 404 200 0000 x5', /it has an extension/],
      ['+1 404 200 0000;ext=5', /it has an extension/],
      ['+14042000000 ;rm -rf /', /"\+14042000000 ;rm -rf \/" is not a phone number: ";" is not part of a phone number/],
      ['+14042000000\uFFFD', /it holds bytes that are not valid UTF-8/],
      ['+\u0661\u0664\u0660\u0664\u0662\u0660\u0660\u0660\u0660\u0660\u0660', /"\u0661" \(U\+0661\) is a digit of another script; write the digits 0-9/],
      ['\uFF0B\uFF11\uFF14\uFF10\uFF14\uFF12\uFF10\uFF10\uFF10\uFF10\uFF10\uFF10', /"\uFF0B" is not part of a phone number/],
      ['+\uFF11\uFF14\uFF10\uFF14\uFF12\uFF10\uFF10\uFF10\uFF10\uFF10\uFF10', /is a digit of another script/],
      ['+1 404\u00a0200 0000', /U\+00A0 is not part of a phone number/],
      ['+1404+2000000', /a \+ may only start it/],
      ['tel:+1 415 555 1234', /U\+0020 is not part of a phone number/],
      ['tel:+14155551234;ext=5', /a tel: URI with parameters/],
      ['tel:4155551234', /a tel: URI holds a global number/],
      ['+1 404 200 0000 5', /not a phone number/],
      ['()-.', /not a phone number/],
    ];
    for (const [input, message] of refusals) expect(() => toE164(input), JSON.stringify(input)).toThrow(message);
  });

  it('accepts only strict E.164 from upstream', () => {
    expect(isStrictE164('+14155551234')).toBe(true);
    expect(isStrictE164('14155551234')).toBe(false);
    expect(isStrictE164('+1 415 555 1234')).toBe(false);
    expect(isStrictE164('+1415')).toBe(false);
    expect(isStrictE164(null)).toBe(false);
  });
});

describe('agent references', () => {
  const agents = [
    { provider: 'retell' as const, id: 'agent_1', name: 'Receptionist' },
    { provider: 'vapi' as const, id: 'uuid-1', name: 'receptionist' },
    { provider: 'vapi' as const, id: 'uuid-2', name: 'survey' },
  ];

  it('matches by id first, then by name without regard to case, within a provider when given', () => {
    expect(matchAgents(parseAgentRef('receptionist'), agents).map((a) => a.id)).toEqual(['agent_1', 'uuid-1']);
    expect(matchAgents(parseAgentRef('vapi:RECEPTIONIST'), agents).map((a) => a.id)).toEqual(['uuid-1']);
    expect(matchAgents(parseAgentRef('uuid-2'), agents).map((a) => a.name)).toEqual(['survey']);
    expect(parseAgentRef('sip:thing')).toEqual({ provider: null, key: 'sip:thing' });
  });
});
