import { describe, expect, it } from 'vitest';
import {
  closeCodeInfo,
  closeKeepsSession,
  GATEWAY_CLOSE_CODES,
  GatewayCloseCode,
  GatewayCloseCodes,
  GatewayOpcodes,
  SpeakingFlags,
  VOICE_CLOSE_CODES,
  VoiceCloseCode,
  VoiceCloseCodes,
  VoiceOpcode,
  VoiceOpcodes,
  voiceCloseCodeInfo,
} from '../src/index.js';

// Transcribed from docs/protocol.md, "Gateway close codes": "resume" = reconnect and Resume, "new session" = reconnect
// and Identify (4007, 4009), "stop" = fatal.
const PROTOCOL_GATEWAY: Record<number, 'resume' | 'reconnect' | 'fatal'> = {
  4000: 'resume',
  4001: 'resume',
  4002: 'resume',
  4003: 'resume',
  4004: 'fatal',
  4005: 'resume',
  4007: 'reconnect',
  4008: 'resume',
  4009: 'reconnect',
  4010: 'fatal',
  4011: 'fatal',
  4012: 'fatal',
  4013: 'fatal',
  4014: 'fatal',
};

const PROTOCOL_VOICE = [4001, 4002, 4003, 4004, 4005, 4006, 4009, 4011, 4012, 4014, 4015, 4016, 4020, 4021, 4022];

function action(info: { resume: boolean; reconnect: boolean; fatal: boolean }) {
  return info.resume ? 'resume' : info.reconnect ? 'reconnect' : 'fatal';
}

describe('gateway close codes', () => {
  it('match the docs/protocol.md table exactly', () => {
    expect([...GATEWAY_CLOSE_CODES.keys()].sort()).toEqual(Object.keys(PROTOCOL_GATEWAY).map(Number).sort());
    for (const [code, expected] of Object.entries(PROTOCOL_GATEWAY)) {
      const info = closeCodeInfo(Number(code));
      expect(info.known, code).toBe(true);
      expect(action(info), code).toBe(expected);
      expect(info.description.length).toBeGreaterThan(0);
    }
  });

  it('have exactly one action per code', () => {
    for (const info of [...GATEWAY_CLOSE_CODES.values(), ...VOICE_CLOSE_CODES.values()]) {
      expect([info.resume, info.reconnect, info.fatal].filter(Boolean)).toHaveLength(1);
    }
  });

  it('agree with the discord-api-types enum names', () => {
    expect(closeCodeInfo(GatewayCloseCodes.DisallowedIntents).fatal).toBe(true);
    expect(closeCodeInfo(GatewayCloseCodes.InvalidSeq).reconnect).toBe(true);
  });

  it('GatewayCloseCode lists the table, with the discord-api-types names and values', () => {
    expect(Object.values(GatewayCloseCode).sort()).toEqual([...GATEWAY_CLOSE_CODES.keys()].sort());
    for (const [name, code] of Object.entries(GatewayCloseCode)) {
      expect(GatewayCloseCodes[name as keyof typeof GatewayCloseCodes], name).toBe(code);
    }
  });

  it('closeKeepsSession: the codes marked resume, and no unknown code', () => {
    const kept = [...GATEWAY_CLOSE_CODES.keys()].filter(closeKeepsSession).sort();
    expect(kept).toEqual([4000, 4001, 4002, 4003, 4005, 4008]);
    for (const code of [1000, 1001, 1006, 4006, 4999]) expect(closeKeepsSession(code), String(code)).toBe(false);
  });

  it('default unknown codes: 1000/1001 end the session, others stay resumable', () => {
    expect(closeCodeInfo(1000)).toMatchObject({ known: false, reconnect: true, resume: false });
    expect(closeCodeInfo(1001)).toMatchObject({ known: false, reconnect: true });
    expect(closeCodeInfo(1006)).toMatchObject({ known: false, resume: true });
    expect(closeCodeInfo(4999)).toMatchObject({ known: false, resume: true, fatal: false });
  });
});

describe('voice close codes', () => {
  it('cover every code docs/protocol.md lists', () => {
    for (const code of PROTOCOL_VOICE) expect(voiceCloseCodeInfo(code).known, String(code)).toBe(true);
  });

  it('VoiceCloseCode lists the docs/protocol.md codes, with the discord-api-types values', () => {
    expect(Object.values(VoiceCloseCode).sort()).toEqual([...PROTOCOL_VOICE].sort());
    const renamed: Record<string, string> = { DecodeFailure: 'FailedToDecode' };
    for (const [name, code] of Object.entries(VoiceCloseCode)) {
      expect(VoiceCloseCodes[(renamed[name] ?? name) as keyof typeof VoiceCloseCodes], name).toBe(code);
    }
  });

  it('4014 is final, 4015 resumes, 4006 needs a new session', () => {
    expect(voiceCloseCodeInfo(4014).fatal).toBe(true);
    expect(voiceCloseCodeInfo(4015).resume).toBe(true);
    expect(voiceCloseCodeInfo(4006).reconnect).toBe(true);
  });
});

describe('opcodes', () => {
  it('include the gateway and voice opcodes of docs/protocol.md, with 31 and 43', () => {
    expect(GatewayOpcodes.Dispatch).toBe(0);
    expect(GatewayOpcodes.Hello).toBe(10);
    expect(GatewayOpcodes.HeartbeatAck).toBe(11);
    expect(GatewayOpcodes.RequestSoundboardSounds).toBe(31);
    expect(GatewayOpcodes.RequestChannelInfo).toBe(43);
    expect(VoiceOpcodes.Hello).toBe(8);
    expect(VoiceOpcodes.ClientDisconnect).toBe(13);
  });

  it('VoiceOpcode agrees with VoiceOpcodes, plus Video (12) and Media Sink Wants (15)', () => {
    for (const [name, op] of Object.entries(VoiceOpcode)) {
      if (name === 'Video') expect(op).toBe(12);
      else if (name === 'MediaSinkWants') expect(op).toBe(15);
      else expect(VoiceOpcodes[name as keyof typeof VoiceOpcodes], name).toBe(op);
    }
    expect(SpeakingFlags).toEqual({ Microphone: 1, Soundshare: 2, Priority: 4 });
  });
});
