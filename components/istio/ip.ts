/** IP and CIDR matching for ipBlocks, remoteIpBlocks and the source.ip/remote.ip/destination.ip conditions. */

interface ParsedIp {
    readonly bits: number;
    readonly value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const part of parts) {
        if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
        value = (value << 8n) | BigInt(Number(part));
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const head = halves[0] === "" ? [] : halves[0].split(":");
    const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
    const groups = halves.length === 2 ? [...head, ...new Array<string>(8 - head.length - tail.length).fill("0"), ...tail] : head;
    if (groups.length !== 8 || head.length + tail.length > (halves.length === 2 ? 7 : 8)) return undefined;
    let value = 0n;
    for (const group of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
        value = (value << 16n) | BigInt(parseInt(group, 16));
    }
    return value;
}

export function parseIp(text: string): ParsedIp | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) return { bits: 32, value: v4 };
    const v6 = text.includes(":") ? parseIpv6(text) : undefined;
    return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

/** A single IP or a CIDR block, as Istio accepts them; undefined when malformed. */
export function parseIpBlock(text: string): { readonly ip: ParsedIp; readonly prefix: number } | undefined {
    const slash = text.indexOf("/");
    const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
    if (ip === undefined) return undefined;
    if (slash < 0) return { ip, prefix: ip.bits };
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > ip.bits) return undefined;
    return { ip, prefix: Number(prefixText) };
}

/** True when `ip` lies in `block` (a single IP or CIDR). Malformed input never matches. */
export function ipInBlock(block: string, ip: string): boolean {
    const parsedBlock = parseIpBlock(block);
    const parsedIp = parseIp(ip);
    if (parsedBlock === undefined || parsedIp === undefined || parsedIp.bits !== parsedBlock.ip.bits) return false;
    const shift = BigInt(parsedIp.bits - parsedBlock.prefix);
    return parsedIp.value >> shift === parsedBlock.ip.value >> shift;
}
