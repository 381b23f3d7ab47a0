import { ReceptionStats } from '../rtcp/ReceptionStats.js';
import { buildReceiverReport, MAX_REPORT_BLOCKS, type ReportBlock } from '../rtcp/Rtcp.js';
import type { OpusBitrateController, OpusEncoderSettings } from './OpusBitrateController.js';

/**
 * Both directions of RTCP feedback for one client: reception statistics of every stream received (reported back to
 * the senders), and the receivers' reports about our stream (fed to the bitrate controller). Knows no sockets: the
 * client seals and sends what `buildReport` returns, and applies what `adapt` returns.
 */
export class RtcpFeedback {
  /** Reception statistics (RFC 3550) of every stream received, keyed by SSRC. */
  public readonly reception = new Map<number, ReceptionStats>();
  /** Each listener's last reported loss about our stream. */
  private readonly reports = new Map<number, { loss: number; at: number }>();
  private readonly controller: OpusBitrateController | null;
  /** How long a listener's last report counts. */
  private readonly horizonMs: number;

  public constructor(controller: OpusBitrateController | null, horizonMs: number) {
    this.controller = controller;
    this.horizonMs = horizonMs;
  }

  /** Counts one received RTP packet (the per-packet path). */
  public received(ssrc: number, sequence: number, timestamp: number, arrivalMs: number): void {
    let stats = this.reception.get(ssrc);
    if (!stats) {
      stats = new ReceptionStats(ssrc);
      this.reception.set(ssrc, stats);
    }
    stats.update(sequence, timestamp, arrivalMs);
  }

  /** A receiver report about the streams received (at most MAX_REPORT_BLOCKS), unsealed; null with nothing to report. */
  public buildReport(ourSsrc: number): Buffer | null {
    if (this.reception.size === 0) return null;
    const blocks: ReportBlock[] = [];
    for (const stats of this.reception.values()) {
      if (blocks.length === MAX_REPORT_BLOCKS) break;
      blocks.push(stats.report());
    }
    return buildReceiverReport(ourSsrc, blocks);
  }

  /** Notes a listener's report block about our stream. */
  public noteReport(reporterSsrc: number, block: ReportBlock, nowMs: number): void {
    this.reports.set(reporterSsrc, { loss: block.fractionLost / 256, at: nowMs });
  }

  /**
   * Feeds the worst loss among the listeners' recent reports to the controller; returns the new encoder settings when
   * they changed, null otherwise (or without a controller).
   */
  public adapt(nowMs: number): Readonly<OpusEncoderSettings> | null {
    const controller = this.controller;
    if (!controller) return null;
    // A listener that stopped reporting (left, deafened) must not pin the bitrate down: past the horizon it is out.
    let worst = 0;
    for (const [ssrc, r] of this.reports) {
      if (nowMs - r.at > this.horizonMs) this.reports.delete(ssrc);
      else worst = Math.max(worst, r.loss);
    }
    const before = controller.settings;
    const after = controller.update(worst);
    if (
      after.bitrate === before.bitrate &&
      after.fec === before.fec &&
      after.packetLossPercent === before.packetLossPercent
    ) {
      return null;
    }
    return after;
  }

  /** Forgets a stream that left (its statistics and its reports). */
  public forget(ssrc: number): void {
    this.reception.delete(ssrc);
    this.reports.delete(ssrc);
  }

  /** Forgets the reception statistics (a new key: the streams start over). */
  public clearReception(): void {
    this.reception.clear();
  }

  /** Forgets every stream (a new server: SSRCs start over). */
  public clear(): void {
    this.reception.clear();
    this.reports.clear();
  }
}
