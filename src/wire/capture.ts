/**
 * A packet capture of a simulation: protocol messages and data packets in,
 * pcapng out. Each packet is encoded once (IPv4 with UDP 500/4500, TCP or
 * ESP) and written to every selected capture point it crosses:
 * `<gateway>:public`, `<site>:device`, `<client>` and `<connection>:inner`
 * (decrypted tunnel contents: BGP, ICMP). Timestamps are simulated time in
 * nanoseconds.
 *
 * State the model does not keep lives here: TCP sequence and acknowledgement
 * numbers per BGP connection (RFC 9293 §3.4), ESP SPIs per child SA and
 * their sequence numbers (RFC 4303 §3.3.3), who initiated each IKE SA. All
 * filler octets come from the stream `pcap/fill` of the run's seed, so one
 * seed gives one capture, byte for byte.
 */
import type { IkeMessage } from '../protocols/ike/messages.js';
import type { BgpSegment } from '../protocols/bgp/messages.js';
import type { TunnelCipher } from '../protocols/esp/packet.js';
import type { Ikev2P2sMessage } from '../protocols/p2s/ikev2-client.js';
import { AZURE_ESP_PROPOSALS, AZURE_IKE_PROPOSALS } from '../protocols/ike/config.js';
import { Rng, type RandomStream } from '../sim/kernel/rng.js';
import { encodeIke } from './ike.js';
import { encodeBgp } from './bgp.js';
import { encodeEsp, NAT_T_PORT, nonEspMarker } from './esp.js';
import { ipv4Icmp, IpProto, ipv4, tcp, TcpFlag, udp } from './ip.js';
import { PcapngWriter } from './pcapng.js';
import { FillPool } from './bytes.js';

/** IKE's UDP port (RFC 7296 §2). */
export const IKE_PORT = 500;
/** BGP's TCP port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;

/** Echo payload octets 0, 1, 2, ... (as ping's pattern), shared by every echo up to 1472 octets. */
const ECHO_DATA = new Uint8Array(1472).map((_, i) => i & 0xff);

/** Options of {@link PcapCapture}. */
export interface PcapCaptureOptions {
  /** Receives the pcapng bytes in order. */
  readonly sink: (chunk: Uint8Array) => void;
  /** Seed of the filler stream; default 1. */
  readonly seed?: number | string;
  /** Capture points to write; default every point. */
  readonly points?: readonly string[];
  /** Add an `opt_comment` naming the message to each packet. Default true. */
  readonly comments?: boolean;
}

/** One end of a packet: its IPv4 address and the capture points it is seen on. */
export interface CaptureEnd {
  readonly ip: number;
  readonly points: readonly string[];
}

interface IkeSaWire {
  readonly initiatorIp: number;
  readonly childSpi: [number, number];
}

interface TcpConn {
  readonly initiatorIp: number;
  next: [number, number];
}

interface EspSa {
  spi: number;
  seq: number;
}

/** Writes a pcapng capture of simulated packets; see the module header. */
export class PcapCapture {
  private readonly w: PcapngWriter;
  private readonly fill: RandomStream;
  private readonly pool: FillPool;
  private readonly ifaces = new Map<string, number>();
  private readonly wanted: ReadonlySet<string> | undefined;
  private readonly comments: boolean;
  private readonly ikeSas = new Map<number, IkeSaWire>();
  private readonly tcpConns = new Map<string, TcpConn>();
  /** Outbound ESP SAs by `src * 2^32 + dst` (both 32-bit addresses). */
  private readonly espSas = new Map<number, EspSa>();
  private readonly p2sSpis = new Map<string, [number, number]>();
  private ipId = 0;
  /** Packets written (counted once per capture point). */
  packets = 0;

  constructor(options: PcapCaptureOptions) {
    this.w = new PcapngWriter(options.sink);
    this.fill = new Rng(options.seed ?? 1).stream('pcap/fill');
    this.pool = new FillPool(new Rng(options.seed ?? 1).stream('pcap/ciphertext'));
    this.wanted = options.points ? new Set(options.points) : undefined;
    this.comments = options.comments ?? true;
  }

  private write(t: number, from: CaptureEnd, to: CaptureEnd, data: Uint8Array, comment: string | undefined): void {
    const ns = Math.round(t * 1e9);
    for (const p of from.points) this.writeAt(p, ns, data, comment);
    for (const p of to.points) this.writeAt(p, ns, data, comment);
  }

  private writeAt(p: string, ns: number, data: Uint8Array, comment: string | undefined): void {
    {
      if (this.wanted && !this.wanted.has(p)) return;
      let id = this.ifaces.get(p);
      if (id === undefined) this.ifaces.set(p, (id = this.w.addInterface(p)));
      this.w.packet(id, ns, data, this.comments ? comment : undefined);
      this.packets++;
    }
  }

  private nextId(): number {
    return (this.ipId = (this.ipId + 1) & 0xffff);
  }

  /** Draws a non-zero 32-bit SPI (RFC 4303 §2.1: 1-255 are reserved, so draw above 255). */
  private spi(): number {
    return 256 + Math.floor(this.fill.random() * (0xffffffff - 256));
  }

  /**
   * One IKE message from `from` to `to` at `t` seconds. UDP 500, or 4500
   * with the non-ESP marker when `natTraversal` (RFC 3948 §2.2). A completed
   * child SA (IKEv2 IKE_AUTH or CREATE_CHILD_SA response with an SA, IKEv1
   * Quick Mode 2) installs the ESP SPIs {@link esp} uses between the two.
   */
  ike(t: number, from: CaptureEnd, to: CaptureEnd, msg: IkeMessage, options: { natTraversal?: boolean; comment?: string } = {}): void {
    let sa = this.ikeSas.get(msg.spiI);
    if (!sa || (msg.exchange === 'IKE_SA_INIT' && !msg.response && msg.spiR === 0) || (msg.exchange === 'MAIN_MODE' && msg.seq === 1)) {
      sa = { initiatorIp: from.ip, childSpi: [this.spi(), this.spi()] };
      this.ikeSas.set(msg.spiI, sa);
    }
    const fromInitiator = from.ip === sa.initiatorIp;
    // A new child SA (rekey) gets new SPIs when it is offered.
    if (msg.childSa && !msg.response && (msg.exchange === 'CREATE_CHILD_SA' || (msg.exchange === 'QUICK_MODE' && msg.seq === 1))) {
      if (msg.messageId !== 0) sa.childSpi[0] = this.spi(), sa.childSpi[1] = this.spi();
    }
    const childSpi = sa.childSpi[fromInitiator ? 0 : 1];
    const ike = encodeIke(msg, { fromInitiator, src: from.ip, dst: to.ip, childSpi, fill: this.fill });
    const nat = options.natTraversal ?? false;
    const port = nat ? NAT_T_PORT : IKE_PORT;
    const pkt = ipv4({ src: from.ip, dst: to.ip, protocol: IpProto.udp, id: this.nextId() }, udp(from.ip, to.ip, port, port, nat ? nonEspMarker(ike) : ike));
    this.write(t, from, to, pkt, options.comment);
    const childDone = msg.response && msg.childSa && !msg.notify && (msg.exchange === 'IKE_AUTH' || msg.exchange === 'CREATE_CHILD_SA' || msg.exchange === 'QUICK_MODE');
    if (childDone) {
      const [i, r] = fromInitiator ? [to.ip, from.ip] : [from.ip, to.ip];
      this.installEsp(i, r, sa.childSpi[1]);
      this.installEsp(r, i, sa.childSpi[0]);
    }
  }

  /**
   * One message of a P2S IKEv2 client session (`client` names the session).
   * The model's P2S messages carry no SPIs or payloads, so they are filled
   * in as a client would send them: IKE_SA_INIT on UDP 500 with Azure's
   * default proposals, DH group 2 and a nonce; IKE_AUTH on UDP 4500 with the
   * non-ESP marker (RFC 7296 §2.23: the client floats to 4500), its final
   * response with AUTH, the child SA and traffic selectors, or a Notify
   * AUTHENTICATION_FAILED when refused. Returns the message encoded.
   */
  ikeP2s(t: number, client: string, from: CaptureEnd, to: CaptureEnd, m: Ikev2P2sMessage, comment?: string): IkeMessage {
    let spis = this.p2sSpis.get(client);
    if (!spis || (m.kind === 'ikeSaInit' && !m.response)) this.p2sSpis.set(client, (spis = [this.spi() * 0x100 + 1, this.spi() * 0x100 + 2]));
    const base = { version: 'IKEv2' as const, response: m.response, messageId: m.msgId, spiI: spis[0], spiR: m.kind === 'ikeSaInit' && !m.response ? 0 : spis[1] };
    let msg: IkeMessage;
    if (m.kind === 'ikeSaInit') {
      msg = { ...base, exchange: 'IKE_SA_INIT', sa: m.response ? [AZURE_IKE_PROPOSALS[0]!] : [...AZURE_IKE_PROPOSALS], ke: 2, nonce: 'n' };
    } else if (m.response && m.error) {
      msg = { ...base, exchange: 'IKE_AUTH', notify: 'AUTHENTICATION_FAILED' };
    } else if (m.response && m.done) {
      msg = { ...base, exchange: 'IKE_AUTH', id: 'gateway', auth: '', childSa: [AZURE_ESP_PROPOSALS[0]!], tsi: ['0.0.0.0/0'], tsr: ['0.0.0.0/0'] };
    } else if (!m.response && m.msgId === 1) {
      msg = { ...base, exchange: 'IKE_AUTH', id: m.certificate?.subject ?? client, ...(m.certificate ? { auth: '' } : {}), childSa: [...AZURE_ESP_PROPOSALS], tsi: ['0.0.0.0/0'], tsr: ['0.0.0.0/0'] };
    } else {
      msg = { ...base, exchange: 'IKE_AUTH', id: client };
    }
    this.ike(t, from, to, msg, { natTraversal: m.kind !== 'ikeSaInit', ...(comment ? { comment } : {}) });
    return msg;
  }

  /** The outbound SA from `src` to `dst`: SPI of the peer's inbound SA, sequence restarting at 1. */
  private installEsp(src: number, dst: number, spi: number): void {
    this.espSas.set(src * 0x100000000 + dst, { spi, seq: 0 });
  }

  /**
   * One ESP packet between two tunnel endpoints carrying `inner` (an IPv4
   * packet, or only its length), sequence number incremented per SA. With
   * no SA negotiated between the two yet, SPIs are drawn on first use.
   */
  esp(t: number, from: CaptureEnd, to: CaptureEnd, inner: Uint8Array | number, options: { cipher?: TunnelCipher; natTraversal?: boolean; comment?: string } = {}): Uint8Array {
    const key = from.ip * 0x100000000 + to.ip;
    let sa = this.espSas.get(key);
    if (!sa) this.espSas.set(key, (sa = { spi: this.spi(), seq: 0 }));
    sa.seq = (sa.seq + 1) >>> 0;
    const innerBytes = typeof inner === 'number' ? inner : inner.length;
    const pkt = encodeEsp({ src: from.ip, dst: to.ip, spi: sa.spi, seq: sa.seq, innerBytes, ipId: this.nextId(), ...(options.cipher ? { cipher: options.cipher } : {}), natTraversal: options.natTraversal ?? false }, this.pool);
    this.write(t, from, to, pkt, options.comment);
    return pkt;
  }

  /**
   * One BGP segment of connection `seg.conn` as a TCP segment to or from
   * port 179 (the initiator of the connection uses an ephemeral port).
   * Returns the IPv4 packet, e.g. to carry it in {@link esp}.
   */
  bgp(t: number, from: CaptureEnd, to: CaptureEnd, seg: BgpSegment, comment?: string): Uint8Array {
    const m = seg.msg;
    let c = this.tcpConns.get(seg.conn);
    if (!c || m.type === 'TCP_SYN') {
      c = { initiatorIp: from.ip, next: [this.spi(), this.spi()] };
      this.tcpConns.set(seg.conn, c);
    }
    const side = from.ip === c.initiatorIp ? 0 : 1;
    const ephemeral = 49152 + (parseInt(seg.conn.replace(/\D/g, '').slice(-4) || '0', 10) % 16384);
    const [srcPort, dstPort] = side === 0 ? [ephemeral, BGP_PORT] : [BGP_PORT, ephemeral];
    let flags: number = TcpFlag.ack;
    let payload: Uint8Array = new Uint8Array(0);
    let mss: number | undefined;
    let seq = c.next[side];
    let ack = c.next[1 - side];
    switch (m.type) {
      case 'TCP_SYN': flags = TcpFlag.syn; ack = 0; mss = 1360; c.next[0] = (c.next[0] + 1) >>> 0; break;
      case 'TCP_SYN_ACK': flags = TcpFlag.syn | TcpFlag.ack; mss = 1360; c.next[1] = (c.next[1] + 1) >>> 0; break;
      case 'TCP_ACK': break;
      case 'TCP_RST': flags = TcpFlag.rst | TcpFlag.ack; break;
      default:
        payload = encodeBgp(m);
        flags = TcpFlag.psh | TcpFlag.ack;
        c.next[side] = (c.next[side] + payload.length) >>> 0;
    }
    seq = seq >>> 0;
    const pkt = ipv4({ src: from.ip, dst: to.ip, protocol: IpProto.tcp, id: this.nextId() }, tcp(from.ip, to.ip, { srcPort, dstPort, seq, ack, flags, ...(mss ? { mss } : {}) }, payload));
    this.write(t, from, to, pkt, comment);
    return pkt;
  }

  /** One ICMP echo request or reply (RFC 792) of `bytes` in all (84: 20 IPv4 + 8 ICMP + 56 data). Returns the packet. */
  icmp(t: number, from: CaptureEnd, to: CaptureEnd, echo: { reply: boolean; id: number; seq: number; bytes?: number }, comment?: string): Uint8Array {
    const n = Math.max(0, (echo.bytes ?? 84) - 28);
    const data = n <= ECHO_DATA.length ? ECHO_DATA.subarray(0, n) : new Uint8Array(n).map((_, i) => i & 0xff);
    const pkt = ipv4Icmp({ src: from.ip, dst: to.ip, protocol: IpProto.icmp, id: this.nextId() }, echo.reply, echo.id, echo.seq, data);
    this.write(t, from, to, pkt, comment);
    return pkt;
  }

  /** Writes the buffered bytes to the sink. */
  flush(): void {
    this.w.flush();
  }
}
