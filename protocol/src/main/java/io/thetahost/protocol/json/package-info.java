/**
 * Strict JSON reading shared by the formats that parse untrusted JSON: the safetensors header and the manifest.
 * {@link io.thetahost.protocol.json.StrictJson} configures Jackson for hostile input and
 * {@link io.thetahost.protocol.json.JsonTokens} reads tokens, turning Jackson's errors into each format's own
 * exception. The rules of each format stay in its own package.
 */
package io.thetahost.protocol.json;
