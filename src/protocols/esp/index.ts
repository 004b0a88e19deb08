/** ESP (RFC 4303) for vpnsim: the tunnel-mode packet arithmetic shared by packet delivery and the bandwidth model. */
export { ESP_TRANSFORMS, ESP_HEADER_BYTES, ESP_TRAILER_BYTES, espTransform, espFields, espTunnelBytes } from './packet.js';
export type { TunnelCipher, EspTransform, EspFields } from './packet.js';
