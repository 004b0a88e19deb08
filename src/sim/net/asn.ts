/**
 * BGP autonomous system numbers that a scenario may not use (SKUS.md, "BGP on
 * the gateway"). Azure reserves 8074, 8075, 8076, 12076, 65515 and
 * 65517-65520; IANA reserves 23456 (AS_TRANS, RFC 6793 §9), 64496-64511
 * (documentation, RFC 5398) and 65535-65551 (65535 RFC 7300; 65536-65551
 * documentation, RFC 5398).
 */

/** Azure's default gateway ASN: allowed only as an Azure gateway's own ASN. */
export const AZURE_DEFAULT_ASN = 65515;

const RANGES: readonly (readonly [number, number, string])[] = [
  [8074, 8076, 'reserved by Azure'],
  [12076, 12076, 'reserved by Azure'],
  [65515, 65515, "Azure's default gateway ASN"],
  [65517, 65520, 'reserved by Azure'],
  [23456, 23456, 'reserved by IANA (AS_TRANS, RFC 6793)'],
  [64496, 64511, 'reserved by IANA for documentation (RFC 5398)'],
  [65535, 65551, 'reserved by IANA (RFC 7300, RFC 5398)'],
];

/**
 * Why an ASN may not be used, or `undefined` when it may.
 * @param asn the ASN, 1..4294967295.
 * @param azureGateway true for an Azure gateway's own ASN, where 65515 (the default) is allowed.
 */
export function reservedAsnReason(asn: number, azureGateway: boolean): string | undefined {
  if (azureGateway && asn === AZURE_DEFAULT_ASN) return undefined;
  for (const [lo, hi, why] of RANGES) if (asn >= lo && asn <= hi) return why;
  return undefined;
}
