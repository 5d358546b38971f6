/** Kubernetes name syntax (apimachinery validation), shared by every schema. */

/** DNS-1123 label: lowercase alphanumerics and "-", alphanumeric at both ends, at most 63 characters. */
export const DNS1123_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 subdomain: dot-separated labels (the 253-character limit is checked separately). */
export const DNS1123_SUBDOMAIN_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
