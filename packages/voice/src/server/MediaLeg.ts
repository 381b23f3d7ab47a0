/**
 * A member's media transport when it is not Discord's UDP path (e.g. a browser's WebRTC peer connection). The Sfu
 * hands it plaintext RTP/RTCP and the leg protects and sends them its own way (DTLS-SRTP for WebRTC); what a leg
 * receives it hands back decrypted through `Sfu.receive`. A member has either a leg or a UDP cipher, never both.
 */
export interface MediaLeg {
  /** What kind of transport this is ('webrtc'), for stats and logs. */
  readonly kind: string;
  /**
   * One plaintext RTP packet for this member: `header` is the RTP header as the receiver should see it (SSRC,
   * sequence number, timestamp and payload type already rewritten by the Sfu where needed), `payload` the media.
   * Never throws for a bad peer: a failing leg counts its own drops.
   */
  sendRtp(header: Buffer, payload: Buffer): void;
  /** One plaintext RTCP (compound) packet for this member. */
  sendRtcp(packet: Buffer): void;
}
