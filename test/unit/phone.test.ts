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
