/**
 * Adds the receive slots' SSRCs to the native stack's answer. The browser demultiplexes a bundle by SSRC, so each
 * slot m-line (sendonly in the answer) gets `a=ssrc:<slot ssrc>`, and `a=msid:slot<i> <kind><i>` so that the page's
 * `ontrack` sees stream id `slot<i>` for both the audio and the video of slot i (docs/protocol.md).
 */
export interface AnswerSlot {
  mid: string;
  kind: 'audio' | 'video';
  index: number;
  ssrc: number;
}

export function addSlotsToAnswer(answer: string, slots: readonly AnswerSlot[]): string {
  const byMid = new Map(slots.map((slot) => [slot.mid, slot]));
  const out: string[] = [];
  for (const line of answer.split(/\r?\n/)) {
    if (line === '') continue;
    out.push(line);
    const slot = line.startsWith('a=mid:') ? byMid.get(line.slice(6)) : undefined;
    if (!slot) continue;
    const msid = `slot${slot.index} ${slot.kind}${slot.index}`;
    out.push(`a=msid:${msid}`, `a=ssrc:${slot.ssrc} cname:concord`, `a=ssrc:${slot.ssrc} msid:${msid}`);
  }
  return `${out.join('\r\n')}\r\n`;
}

const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const REPAIRED_RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';

/**
 * Accepts a RID-signalled simulcast offer on the camera's m-line (the native stack does not answer simulcast): the
 * RTP stream id extensions under the offer's ids, `a=rid:<id> recv` per layer and `a=simulcast:recv`. Without these a
 * browser sends only its first encoding (RFC 8853, JSEP §5.3.1). SSRC-signalled (SIM) simulcast needs nothing here.
 */
export function addSimulcastToAnswer(
  answer: string,
  mid: string,
  simulcast: { rids: readonly string[]; ridExtension: number | null; repairedRidExtension: number | null },
): string {
  if (simulcast.rids.length < 2 || simulcast.ridExtension === null) return answer;
  const out: string[] = [];
  for (const line of answer.split(/\r?\n/)) {
    if (line === '') continue;
    out.push(line);
    if (line !== `a=mid:${mid}`) continue;
    out.push(`a=extmap:${simulcast.ridExtension} ${RID_URI}`);
    if (simulcast.repairedRidExtension !== null)
      out.push(`a=extmap:${simulcast.repairedRidExtension} ${REPAIRED_RID_URI}`);
    for (const rid of simulcast.rids) out.push(`a=rid:${rid} recv`);
    out.push(`a=simulcast:recv ${simulcast.rids.join(';')}`);
  }
  return `${out.join('\r\n')}\r\n`;
}
