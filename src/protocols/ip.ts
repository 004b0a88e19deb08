/**
 * Header sizes of the IP protocols every tunnel model counts, bytes. Shared
 * by the ESP packet arithmetic, the bandwidth overhead factors and packet
 * delivery, so there is one figure per header.
 */

/** IPv4 header without options, bytes (RFC 791 §3.1). */
export const IPV4_HEADER_BYTES = 20;
/** TCP header without options, bytes (RFC 9293 §3.1). */
export const TCP_HEADER_BYTES = 20;
/** UDP header, bytes (RFC 768); NAT traversal wraps ESP in it (RFC 3948 §2.1). */
export const UDP_HEADER_BYTES = 8;
