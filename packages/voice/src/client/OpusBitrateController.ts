/** Settings an Opus encoder should use; compared by value to know when to touch the encoder. */
export interface OpusEncoderSettings {
  /** Target bitrate in bits per second. */
  bitrate: number;
  /** In-band forward error correction (LBRR frames the receiver can decode a lost frame from). */
  fec: boolean;
  /** Expected packet loss, 0-100: tells the encoder how much redundancy FEC should carry. */
  packetLossPercent: number;
}

export interface OpusBitrateControllerOptions {
  /** Lowest and highest bitrate, bits/s (default 16000 and 128000). */
  minBitrate?: number;
  maxBitrate?: number;
  /** Starting bitrate (default 64000, Discord's default for voice channels). */
  initialBitrate?: number;
  /** Loss fraction (0-1) above which the bitrate is lowered (default 0.03). */
  decreaseAbove?: number;
  /** Loss fraction above which FEC is turned on (default 0.01). */
  fecAbove?: number;
  /** Multiplier applied on each lossy report (default 0.75). */
  decreaseFactor?: number;
  /** Additive step on the way back up, bits/s (default 8000). */
  increaseStep?: number;
  /** Consecutive clean reports (loss below `fecAbove`) before each step up and before FEC goes off (default 3). */
  cleanReportsToIncrease?: number;
}

/**
 * Loss-driven Opus adaptation, multiplicative decrease / additive increase: each lossy report cuts the bitrate, each run
 * of clean reports raises it one step. FEC is on whenever loss is above `fecAbove`, with the encoder told the loss it
 * should expect (rounded up), and goes off after a clean run. Pure: the caller feeds loss fractions and applies the
 * returned settings.
 */
export class OpusBitrateController {
  private readonly min: number;
  private readonly max: number;
  private readonly decreaseAbove: number;
  private readonly fecAbove: number;
  private readonly decreaseFactor: number;
  private readonly increaseStep: number;
  private readonly cleanToIncrease: number;
  private clean = 0;
  private current: OpusEncoderSettings;

  public constructor(options: OpusBitrateControllerOptions = {}) {
    this.min = options.minBitrate ?? 16_000;
    this.max = options.maxBitrate ?? 128_000;
    if (!(this.min > 0 && this.min <= this.max)) throw new RangeError('need 0 < minBitrate <= maxBitrate');
    this.decreaseAbove = options.decreaseAbove ?? 0.03;
    this.fecAbove = options.fecAbove ?? 0.01;
    this.decreaseFactor = options.decreaseFactor ?? 0.75;
    this.increaseStep = options.increaseStep ?? 8_000;
    this.cleanToIncrease = Math.max(1, options.cleanReportsToIncrease ?? 3);
    const initial = Math.min(this.max, Math.max(this.min, options.initialBitrate ?? 64_000));
    this.current = { bitrate: initial, fec: false, packetLossPercent: 0 };
  }

  public get settings(): Readonly<OpusEncoderSettings> {
    return this.current;
  }

  /** Feeds one report's loss fraction (0-1, e.g. fractionLost / 256); returns the settings to use from now on. */
  public update(loss: number): Readonly<OpusEncoderSettings> {
    const l = Number.isFinite(loss) ? Math.min(1, Math.max(0, loss)) : 0;
    let { bitrate, fec, packetLossPercent } = this.current;
    if (l > this.fecAbove) {
      this.clean = 0;
      fec = true;
      packetLossPercent = Math.min(100, Math.ceil(l * 100));
      if (l > this.decreaseAbove) bitrate = Math.max(this.min, Math.round(bitrate * this.decreaseFactor));
    } else if (++this.clean >= this.cleanToIncrease) {
      this.clean = 0;
      fec = false;
      packetLossPercent = 0;
      bitrate = Math.min(this.max, bitrate + this.increaseStep);
    }
    this.current = { bitrate, fec, packetLossPercent };
    return this.current;
  }
}
