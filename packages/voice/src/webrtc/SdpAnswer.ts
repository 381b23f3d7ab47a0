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
