import { describe, expect, it } from 'vitest';
import {
  closeCodeInfo,
  GATEWAY_CLOSE_CODES,
  GatewayCloseCodes,
  GatewayOpcodes,
  VOICE_CLOSE_CODES,
  VoiceOpcodes,
  voiceCloseCodeInfo,
} from '../src/index.js';

// Transcribed from PROTOCOL.md: "Reconnect-and-resume allowed for all but those marked no"; 4007 and 4009 say
// "(new session)", i.e. reconnect without resume.
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
  it('match the PROTOCOL.md table exactly', () => {
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

  it('default unknown codes: 1000/1001 end the session, others stay resumable', () => {
    expect(closeCodeInfo(1000)).toMatchObject({ known: false, reconnect: true, resume: false });
    expect(closeCodeInfo(1001)).toMatchObject({ known: false, reconnect: true });
    expect(closeCodeInfo(1006)).toMatchObject({ known: false, resume: true });
    expect(closeCodeInfo(4999)).toMatchObject({ known: false, resume: true, fatal: false });
  });
});

describe('voice close codes', () => {
  it('cover every code PROTOCOL.md lists', () => {
    for (const code of PROTOCOL_VOICE) expect(voiceCloseCodeInfo(code).known, String(code)).toBe(true);
  });

  it('4014 is final, 4015 resumes, 4006 needs a new session', () => {
    expect(voiceCloseCodeInfo(4014).fatal).toBe(true);
    expect(voiceCloseCodeInfo(4015).resume).toBe(true);
    expect(voiceCloseCodeInfo(4006).reconnect).toBe(true);
  });
});

describe('opcodes', () => {
  it('include the gateway and voice opcodes of PROTOCOL.md, with 31 and 43', () => {
    expect(GatewayOpcodes.Dispatch).toBe(0);
    expect(GatewayOpcodes.Hello).toBe(10);
    expect(GatewayOpcodes.HeartbeatAck).toBe(11);
    expect(GatewayOpcodes.RequestSoundboardSounds).toBe(31);
    expect(GatewayOpcodes.RequestChannelInfo).toBe(43);
    expect(VoiceOpcodes.Hello).toBe(8);
    expect(VoiceOpcodes.ClientDisconnect).toBe(13);
  });
});
