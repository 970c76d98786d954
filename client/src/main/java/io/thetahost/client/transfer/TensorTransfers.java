package io.thetahost.client.transfer;

import io.thetahost.client.progress.Progress;
import io.thetahost.client.remote.ConnectionLostException;
import io.thetahost.client.remote.Exchange;
import io.thetahost.client.remote.GitEnvironment;
import io.thetahost.client.remote.Remote;
import io.thetahost.client.remote.RemoteRefusedException;
import io.thetahost.client.remote.Transport;
import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.LowRankDetector;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.transfer.RequestWriter;
import io.thetahost.protocol.transfer.ResponseEvent;
import io.thetahost.protocol.transfer.ResponseReader;
import io.thetahost.protocol.transfer.ServerCapabilities;
import io.thetahost.protocol.transfer.TransferLimits;
import io.thetahost.protocol.transfer.TransferRequest;
import io.thetahost.protocol.transfer.Want;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The client's end of the theta transfer protocol (protocol/PROTOCOL.md) between a local store and one remote
 * repository: upload sends only what the server lacks, each tensor as the smallest encoding against a base the
 * server has; download asks for what the local store lacks, offering what it holds as bases, and stores each object
 * only once it decodes to its id. Memory is bounded: one encoding at a time, spilled to disk when large.
 */
public final class TensorTransfers {
    private final Transport transport;
    private final LocalStore local;
    private final Encoder encoder;
    private final Progress progress;
    /**
     * How many of an upload's bases, after a screen of them all on a sample, are compared in full to find the nearest
     * (git config theta.baseCandidates).
     */
    private int candidates = DEFAULT_CANDIDATES;
    private ServerCapabilities capabilities;
    private long bytesSent;
    private long bytesReceived;
    /** The exchange in progress, whose bytes count in progress reports before it ends. */
    private volatile Exchange current;
    private volatile boolean aborted;

    /** Bases compared in full per uploaded tensor unless configured. */
    public static final int DEFAULT_CANDIDATES = 3;

    /** Bases screened per uploaded tensor, at most: what history and the parameter index offer, a sample of each. */
    public static final int MAX_SCREENED = 16;

    /**
     * Compares at most {@code count} bases in full per uploaded tensor; 0 sends every tensor self-contained (as
     * {@code git repack --window=0} turns deltas off: to measure, or for a server that repacks itself).
     */
    public TensorTransfers withBaseCandidates(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("theta.baseCandidates must be 0 or more, not " + count);
        }
        this.candidates = count;
        return this;
    }

    public TensorTransfers(Transport transport, LocalStore local, Encoder encoder, Progress progress) {
        this.transport = transport;
        this.local = local;
        this.encoder = encoder;
        this.progress = progress;
    }

    /**
     * Transfers with the repository at a URL as git would reach it from {@code git} (its ssh command and credential
     * helpers), encoding uploads with the default options and the low-rank detector when it is available.
     */
    public static TensorTransfers to(String url, GitEnvironment git, LocalStore local, Progress progress) {
        return to(url, git, local, progress, EncoderOptions.defaults());
    }

    /** As above, encoding uploads with {@code options} (a repository's theta.encodeTimeBudget). */
    public static TensorTransfers to(String url, GitEnvironment git, LocalStore local, Progress progress,
            EncoderOptions options) {
        return new TensorTransfers(Transport.forRemote(Remote.parse(url), git), local,
                new Encoder(options, LowRankDetector.available()), progress);
    }

    /**
     * Ends the transfer in progress from another thread, and any later one at its start: the exchange is closed, so
     * its reader fails ("aborted").
     */
    public void abort() {
        aborted = true;
        Exchange x = current;
        if (x != null) {
            try {
                x.close();
            } catch (IOException ignored) {
                // Closing to wake the reader; it reports the failure.
            }
        }
    }

    private void throwIfAborted() throws TransferFailedException {
        if (aborted) {
            throw new TransferFailedException("the transfer was aborted");
        }
    }

    /** Bytes of protocol (requests and responses, framing included) sent and received so far. */
    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    /** What the server accepts per request, asked once. */
    public TransferLimits limits() throws IOException {
        return capabilities().limits();
    }

    /** What the server advertises, asked once. */
    private ServerCapabilities capabilities() throws IOException {
        if (capabilities == null) {
            capabilities = exchange(TransferRequest.capabilities(), RequestBody.NONE, ResponseReader::forCapabilities,
                    reader -> {
                ServerCapabilities caps = null;
                for (ResponseEvent e; !((e = next(reader)) instanceof ResponseEvent.End); ) {
                    if (e instanceof ResponseEvent.Capabilities c) {
                        caps = c.capabilities();
                    }
                }
                if (caps == null) {
                    throw new TransferFailedException("the server sent no capabilities");
                }
                return caps;
            });
        }
        return capabilities;
    }

    /** Which of these tensors the server has (and lets this repository read). */
    public Set<TensorId> lookup(Collection<TensorId> ids) throws IOException {
        Set<TensorId> present = new HashSet<>();
        for (List<TensorId> batch : batches(new ArrayList<>(new LinkedHashSet<>(ids)), limits().maxIds())) {
            exchange(TransferRequest.lookup(batch), RequestBody.NONE, in -> ResponseReader.forLookup(in, batch),
                    reader -> {
                        for (ResponseEvent e; !((e = next(reader)) instanceof ResponseEvent.End); ) {
                            if (e instanceof ResponseEvent.Present p) {
                                present.add(p.id());
                            }
                        }
                        return null;
                    });
        }
        return present;
    }

    /**
     * A tensor to upload from the local store.
     *
     * @param bases tensors the server may already hold that make good bases, best first (usually the same
     *     parameter's previous version)
     * @param hint known low-rank factors of its update against the first base (from a LoRA adapter)
     * @param name the parameter, for messages
     */
    public record Upload(TensorId id, List<TensorId> bases, Optional<LowRankFactors> hint, String name) {
    }

    /**
     * What an upload did.
     *
     * @param sent the tensors sent (the repository could not read them yet)
     * @param newToServer those of them the server's store did not hold at all (the others it held for another
     *     repository: sending them proved this one may read them)
     * @param alreadyThere the tensors the repository could read already, so not sent
     */
    public record UploadReport(List<TensorId> sent, List<TensorId> newToServer, List<TensorId> alreadyThere,
            long bytesSent) {
    }

    /**
     * Uploads the tensors the server lacks, in the order given: list older versions first, so that a newer one can
     * be sent as a patch against one sent before it in the same upload.
     *
     * @throws TransferFailedException if the server rejects any object (the message names each and why) or fails
     */
    public UploadReport upload(List<Upload> items) throws IOException {
        long before = bytesSent;
        long receivedBefore = bytesReceived;
        long started = System.nanoTime();
        Set<TensorId> ask = new LinkedHashSet<>();
        for (Upload u : items) {
            ask.add(u.id());
            ask.addAll(u.bases());
        }
        Set<TensorId> onServer = lookup(ask);
        Map<TensorId, Upload> todo = new LinkedHashMap<>();
        List<TensorId> already = new ArrayList<>();
        for (Upload u : items) {
            if (onServer.contains(u.id())) {
                already.add(u.id());
            } else {
                todo.putIfAbsent(u.id(), u);
            }
        }
        List<TensorId> stored = new ArrayList<>();
        List<TensorId> sentIds = new ArrayList<>();
        Map<TensorId, String> rejected = new LinkedHashMap<>();
        int total = todo.size();
        int[] sent = {0};
        // What the server holds for this repository, or takes earlier in this upload: the bases an object may use.
        // Items come oldest version first, so a tensor can travel as a patch against one pushed with it.
        Set<TensorId> available = new HashSet<>(onServer);
        for (List<Upload> batch : batches(new ArrayList<>(todo.values()), limits().maxObjects())) {
            List<TensorId> ids = batch.stream().map(Upload::id).toList();
            exchange(TransferRequest.upload(batch.size()), writer -> {
                for (Upload u : batch) {
                    sendObject(writer, u, available);
                    available.add(u.id());
                    sent[0]++;
                    progress.update("theta: uploading tensors: " + sent[0] + "/" + total + ", "
                            + Progress.megabytes(bytesSent + current.bytesSent() - before) + " sent");
                }
            }, in -> ResponseReader.forUpload(in, ids), reader -> {
                for (ResponseEvent e; !((e = next(reader)) instanceof ResponseEvent.End); ) {
                    if (e instanceof ResponseEvent.Stored st) {
                        stored.add(st.id());
                        sentIds.add(st.id());
                    } else if (e instanceof ResponseEvent.AlreadyPresent p) {
                        sentIds.add(p.id());
                    } else if (e instanceof ResponseEvent.Rejected r) {
                        rejected.put(r.id(), r.reason());
                    } else if (e instanceof ResponseEvent.Progress p) {
                        progress.update("remote: " + p.text());
                    }
                }
                return null;
            });
        }
        if (!rejected.isEmpty()) {
            StringBuilder b = new StringBuilder("the server refused " + rejected.size() + " tensor(s):");
            rejected.forEach((id, why) -> b.append("\n  ").append(id).append(": ").append(why));
            throw new TransferFailedException(b.toString());
        }
        progress.done("theta: uploaded " + sentIds.size() + " tensors (" + already.size() + " already there): "
                + wire(before, receivedBefore) + Progress.rate(bytesSent - before, started));
        return new UploadReport(sentIds, stored, already, bytesSent - before);
    }

    /**
     * Encodes one tensor against the nearest of the bases that both sides hold (up to {@link #MAX_SCREENED} of them
     * screened on a sample, the best {@link #candidates} compared in full, by {@link Encoder#nearest}), and writes it
     * as an object. A stored patch against the first base (one theta add made) is sent as it is.
     */
    private void sendObject(RequestWriter writer, Upload u, Set<TensorId> available) throws IOException {
        TensorInput target = local.input(u.id()).orElseThrow(() -> new IOException(
                "tensor " + u.name() + " (" + u.id() + ") is not in the local store, and the server does not have "
                        + "it either"));
        List<TensorId> usable = u.bases().stream().filter(available::contains).filter(local::has).distinct()
                .limit(candidates == 0 ? 0 : MAX_SCREENED).toList();
        if (sendStored(writer, u.id(), usable.isEmpty() ? null : usable.get(0))) {
            return;
        }
        List<Encoder.Base> bases = new ArrayList<>();
        for (TensorId b : usable) {
            bases.add(new Encoder.Base(local.input(b).orElseThrow(), b));
        }
        Optional<Encoder.Base> base = encoder.nearest(target, bases, candidates);
        // The hint describes the update against the parameter's own previous version only.
        Optional<LowRankFactors> hint = base.isPresent() && !u.bases().isEmpty()
                && u.bases().get(0).equals(base.get().id()) ? u.hint() : Optional.empty();
        try (Encoder.Result encoded = encoder.encode(target, u.id(), base, hint)) {
            OutputStream out = writer.beginObject(u.id(), encoded.encoding().size());
            try (InputStream in = encoded.encoding().open()) {
                in.transferTo(out);
            }
            out.close();
        }
    }

    /**
     * Sends the stored encoding of a tensor the local store holds dense (when no base is shared) or as a patch against
     * the chosen base: the store verified it when it took it, and a patch stored by {@code theta add} is the one the
     * person asked for. Encoding again would cost a decode and a compression, or lose the factors.
     */
    private boolean sendStored(RequestWriter writer, TensorId id, TensorId base) throws IOException {
        Optional<StoredEncoding> stored = local.tensors().encoding(id);
        if (stored.isEmpty()) {
            return false;
        }
        try (StoredEncoding e = stored.get()) {
            boolean fits = base == null ? e.meta().kind() == EncodingKind.DENSE : base.equals(e.meta().base());
            if (!fits) {
                return false;
            }
            OutputStream out = writer.beginObject(id, e.meta().encodedBytes());
            e.bytes().transferTo(out);
            out.close();
            return true;
        }
    }

    /** What a download did. */
    public record DownloadReport(List<TensorId> received, List<TensorId> missing, long bytesReceived) {
    }

    /**
     * Downloads tensors into the local store, offering what it holds as bases; each is stored only once it decodes
     * to its id.
     *
     * @param asked the tensors to get, each with versions of the same parameter held here, best first (as many as the
     *     server reads per want are sent)
     * @param haves other tensors held here the server may use as bases
     */
    public DownloadReport download(List<Want> asked, Collection<TensorId> haves) throws IOException {
        int wantBases = Math.min(capabilities().wantBases(), Want.MAX_BASES);
        List<Want> wants = asked.stream().map(w -> w.withAtMostBases(wantBases)).toList();
        long before = bytesReceived;
        long sentBefore = bytesSent;
        long started = System.nanoTime();
        Set<TensorId> wanted = new HashSet<>();
        wants.forEach(w -> wanted.add(w.id()));
        List<TensorId> offered = haves.stream().filter(h -> !wanted.contains(h) && local.has(h)).distinct()
                .limit(limits().maxIds()).toList();
        List<TensorId> received = new ArrayList<>();
        List<TensorId> missing = new ArrayList<>();
        int total = wants.size();
        for (List<Want> batch : batches(wants, limits().maxIds())) {
            List<TensorId> batchHaves = offered.stream().filter(h -> batch.stream().noneMatch(
                    w -> w.bases().contains(h))).toList();
            TransferRequest request = TransferRequest.download(batch, batchHaves).withCapability(
                    TransferRequest.ENCODING_VERSION, Integer.toString(EncodingHeader.VERSION_2));
            exchange(request, RequestBody.NONE,
                    in -> ResponseReader.forDownload(in, batch, batchHaves, limits()), reader -> {
                        // Objects are verified and stored on workers while the next is read (LocalStore.receiver).
                        try (LocalStore.Receiver receiver = local.receiver()) {
                            for (ResponseEvent e; !((e = next(reader)) instanceof ResponseEvent.End); ) {
                                if (e instanceof ResponseEvent.EncodedObject o) {
                                    receiver.put(o.body(), o.header().length(), o.header().id());
                                    received.add(o.header().id());
                                    progress.update("theta: downloading tensors: " + received.size() + "/" + total
                                            + ", " + Progress.megabytes(bytesReceived + current.bytesReceived()
                                            - before) + " received");
                                } else if (e instanceof ResponseEvent.Missing m) {
                                    missing.add(m.id());
                                }
                            }
                            receiver.finish();
                        }
                        return null;
                    });
        }
        progress.done("theta: downloaded " + received.size() + " tensors: " + wire(sentBefore, before)
                + Progress.rate(bytesReceived - before, started)
                + (missing.isEmpty() ? "" : "; the server lacks " + missing.size()));
        return new DownloadReport(received, missing, bytesReceived - before);
    }

    private interface RequestBody {
        void write(RequestWriter writer) throws IOException;

        RequestBody NONE = writer -> { };
    }

    private interface ReaderOf {
        ResponseReader open(InputStream response) throws IOException;
    }

    private interface Handler<T> {
        T handle(ResponseReader reader) throws IOException;
    }

    /**
     * One request and its response. If writing fails (the server may have answered early, with an error, and
     * closed), the response is still read, so that the person sees the server's reason rather than a broken pipe.
     */
    private <T> T exchange(TransferRequest request, RequestBody body, ReaderOf readerOf, Handler<T> handler)
            throws IOException {
        throwIfAborted();
        try (Exchange x = transport.open()) {
            current = x;
            // An abort between the check above and this exchange becoming current did not close it.
            throwIfAborted();
            IOException writeFailure = null;
            TransportOutput out = new TransportOutput(x.request());
            try {
                RequestWriter writer = new RequestWriter(out);
                writer.start(request);
                body.write(writer);
                writer.finish();
                out.close();
            } catch (IOException e) {
                if (!out.broke) {
                    // Our side failed (a tensor could not be read): the request is cut short, and the server would
                    // wait for the rest. Closing the exchange ends it.
                    throw e;
                }
                writeFailure = e;
            }
            try {
                T result = handler.handle(readerOf.open(x.response()));
                if (writeFailure != null) {
                    throw writeFailure;
                }
                return result;
            } catch (IOException e) {
                if (writeFailure instanceof ConnectionLostException && !(e instanceof TransferFailedException)
                        && !(e instanceof RemoteRefusedException)) {
                    // No answer from the server, only a response cut off: the lost connection is the reason.
                    writeFailure.addSuppressed(e);
                    throw writeFailure;
                }
                if (writeFailure != null && e != writeFailure) {
                    e.addSuppressed(writeFailure);
                }
                throw e;
            } finally {
                bytesSent += x.bytesSent();
                bytesReceived += x.bytesReceived();
            }
        }
    }

    /** The transport's request stream, noting whether it failed (the server went away or gave up). */
    private static final class TransportOutput extends java.io.FilterOutputStream {
        boolean broke;

        TransportOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                broke = true;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                broke = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            flush();
            try {
                out.close();
            } catch (IOException e) {
                broke = true;
                throw e;
            }
        }
    }

    /** The one-line summary of a transfer's bytes on the wire, both ways, since the counts given. */
    private String wire(long sentBefore, long receivedBefore) {
        return String.format("%,d bytes sent, %,d received", bytesSent - sentBefore, bytesReceived - receivedBefore);
    }

    private static ResponseEvent next(ResponseReader reader) throws IOException {
        ResponseEvent e = reader.next();
        if (e instanceof ResponseEvent.ServerError error) {
            throw new TransferFailedException("the server says: " + error.message());
        }
        return e;
    }

    private static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
