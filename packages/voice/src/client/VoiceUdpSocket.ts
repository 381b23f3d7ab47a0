import { createSocket, type Socket } from 'node:dgram';
import { VoiceError } from '../errors.js';
import { buildIpDiscoveryRequest, parseIpDiscoveryResponse } from '../udp/ipDiscovery.js';

/** IP discovery: one request every DISCOVERY_RETRY_MS, given up after DISCOVERY_TRIES unanswered retries. */
const DISCOVERY_RETRY_MS = 500;
const DISCOVERY_TRIES = 10;
/** Keepalive datagrams hold NAT bindings open while nothing else is sent. */
const KEEPALIVE_MS = 5_000;

export interface VoiceUdpSocketHandlers {
  /** Every datagram after IP discovery succeeded (media, RTCP, stray packets alike): the per-packet path. */
  onPacket: (msg: Buffer) => void;
  onError: (error: Error) => void;
}

/**
 * The UDP socket of one voice session, aimed at the server's media address from Ready: IP discovery, then keepalives,
 * and a plain `send` for media. Closed by the connection phase that owns it when the session ends or moves.
 */
export class VoiceUdpSocket {
  public readonly socket: Socket;
  public readonly remote: { readonly ip: string; readonly port: number };
  private readonly handlers: VoiceUdpSocketHandlers;
  private keepalive: NodeJS.Timeout | undefined;

  public constructor(remote: { ip: string; port: number }, handlers: VoiceUdpSocketHandlers) {
    this.remote = remote;
    this.handlers = handlers;
    this.socket = createSocket('udp4');
    this.socket.on('error', handlers.onError);
  }

  /** Sends one datagram to the server. */
  public send(packet: Uint8Array): void {
    this.socket.send(packet, this.remote.port, this.remote.ip);
  }

  /**
   * Asks the server which address and port it sees us at (retrying while unanswered); on the answer, starts the
   * keepalive and hands every later datagram to `onPacket`. Rejects when unanswered or when the socket is closed.
   */
  public discover(ssrc: number): Promise<{ address: string; port: number }> {
    const { socket, remote } = this;
    return new Promise((resolve, reject) => {
      let tries = 0;
      const request = buildIpDiscoveryRequest(ssrc);
      const retry = setInterval(() => {
        if (++tries > DISCOVERY_TRIES) {
          clearInterval(retry);
          reject(new VoiceError('VOICE_DISCOVERY_FAILED', 'no IP discovery answer'));
        } else socket.send(request, remote.port, remote.ip);
      }, DISCOVERY_RETRY_MS);
      // Closed under us (disconnect, or updateServer moved to another node): sending again would throw.
      const onClose = () => {
        clearInterval(retry);
        reject(new VoiceError('VOICE_CLOSED', 'closed during IP discovery'));
      };
      const onAnswer = (msg: Buffer) => {
        const answer = parseIpDiscoveryResponse(msg);
        if (!answer || answer.ssrc !== ssrc) return;
        clearInterval(retry);
        socket.off('close', onClose);
        // From now on datagrams go straight to the owner: no discovery check on the per-packet path.
        socket.off('message', onAnswer);
        socket.on('message', this.handlers.onPacket);
        this.startKeepalive();
        resolve({ address: answer.address, port: answer.port });
      };
      socket.once('close', onClose);
      socket.on('message', onAnswer);
      socket.send(request, remote.port, remote.ip);
    });
  }

  /** Stops the keepalive and closes the socket; safe to call more than once. */
  public close(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private startKeepalive(): void {
    let counter = 0;
    const buf = Buffer.alloc(8);
    this.keepalive = setInterval(() => {
      buf.writeUInt32LE(counter, 0);
      counter = (counter + 1) >>> 0;
      this.send(buf);
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }
}
