/** IP discovery packets are 74 bytes: type u16, length u16 (= 70), SSRC u32, address (64 bytes), port u16. */
export const IP_DISCOVERY_SIZE = 74;
const ADDRESS_SIZE = 64;

export function isIpDiscoveryRequest(packet: Uint8Array): boolean {
  return (
    packet.length === IP_DISCOVERY_SIZE && packet[0] === 0 && packet[1] === 1 && packet[2] === 0 && packet[3] === 70
  );
}

export function buildIpDiscoveryRequest(ssrc: number): Buffer {
  const out = Buffer.alloc(IP_DISCOVERY_SIZE);
  out.writeUInt16BE(1, 0);
  out.writeUInt16BE(70, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  return out;
}

export function buildIpDiscoveryResponse(ssrc: number, address: string, port: number): Buffer {
  const out = Buffer.alloc(IP_DISCOVERY_SIZE);
  out.writeUInt16BE(2, 0);
  out.writeUInt16BE(70, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  // Leaves at least one NUL: clients read up to the first zero byte.
  out.write(address, 8, ADDRESS_SIZE - 1, 'utf8');
  out.writeUInt16BE(port, 72);
  return out;
}

/** Reads a discovery response; null when the packet is not one. */
export function parseIpDiscoveryResponse(packet: Uint8Array): { ssrc: number; address: string; port: number } | null {
  if (packet.length !== IP_DISCOVERY_SIZE) return null;
  const buf = Buffer.from(packet.buffer, packet.byteOffset, packet.length);
  if (buf.readUInt16BE(0) !== 2 || buf.readUInt16BE(2) !== 70) return null;
  const nul = buf.indexOf(0, 8);
  const end = nul < 0 || nul > 8 + ADDRESS_SIZE ? 8 + ADDRESS_SIZE : nul;
  return { ssrc: buf.readUInt32BE(4), address: buf.toString('utf8', 8, end), port: buf.readUInt16BE(72) };
}
