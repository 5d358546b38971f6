import { z } from "zod";
import { DNS1123_SUBDOMAIN_PATTERN } from "../validation/dns-names";

/** Kubernetes label key (apimachinery IsQualifiedName): optional DNS subdomain prefix (≤ 253) and '/', then a name of ≤ 63 chars. */
export const labelKey = z.string().refine((k) => {
    const slash = k.lastIndexOf("/");
    const prefix = slash < 0 ? undefined : k.slice(0, slash);
    const name = slash < 0 ? k : k.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN_PATTERN.test(prefix));
    return prefixOk && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}, "is not a valid label key (an optional DNS prefix of at most 253 characters and '/', then alphanumerics, '-', '_' or '.', at most 63 characters)");

/** Kubernetes label value: at most 63 chars, alphanumeric at both ends, no wildcard. */
export const labelValue = z
    .string()
    .refine((v) => v.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v), "is not a valid label value (alphanumerics, '-', '_' or '.', at most 63 characters; no wildcards)");
