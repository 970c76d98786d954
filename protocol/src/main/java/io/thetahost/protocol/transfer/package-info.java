/**
 * The theta transfer protocol, transport-free: one pkt-line request and one pkt-line response per exchange, carried
 * the same way over an SSH exec and an HTTP POST. The client writes with {@link
 * io.thetahost.protocol.transfer.RequestWriter} and reads with {@link io.thetahost.protocol.transfer.ResponseReader};
 * the server reads with {@link io.thetahost.protocol.transfer.RequestReader} and writes with {@link
 * io.thetahost.protocol.transfer.ResponseWriter}. Every protocol violation is a {@link
 * io.thetahost.protocol.transfer.TransferProtocolException}. {@code protocol/PROTOCOL.md} is the specification.
 */
package io.thetahost.protocol.transfer;
