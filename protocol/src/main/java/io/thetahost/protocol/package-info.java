/**
 * What crosses a boundary: checkpoint file formats, the manifest format, tensor ids, pkt-line framing and the theta
 * transfer protocol. Nothing here yet: the formats arrive with the codec issue.
 */
package io.thetahost.protocol;
