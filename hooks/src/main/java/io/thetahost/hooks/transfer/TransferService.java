package io.thetahost.hooks.transfer;

import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.LowRankDetector;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.hooks.access.AccessDecision;
import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.transport.Failures;
import io.thetahost.hooks.transport.RequestRefusedException;
import io.thetahost.hooks.transport.TransferHandler;
import io.thetahost.objectdb.DiskFullException;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.transfer.IncomingObject;
import io.thetahost.protocol.transfer.RequestReader;
import io.thetahost.protocol.transfer.ResponseWriter;
import io.thetahost.protocol.transfer.ServerCapabilities;
import io.thetahost.protocol.transfer.TransferLimits;
import io.thetahost.protocol.transfer.TransferProtocolException;
import io.thetahost.protocol.transfer.TransferRequest;
import io.thetahost.protocol.transfer.Want;
import io.thetahost.protocol.transfer.WireEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's end of the theta transfer protocol (protocol/PROTOCOL.md), over the daemon's tensor store: lookups,
 * downloads that send each wanted tensor as the smallest encoding against something the client holds, and uploads
 * stored only after they decode to their id.
 *
 * <p>Access: a tensor is only ever named, sent, or used as a base if this repository may read it (it received it);
 * anything else answers {@code missing}, exactly as a tensor the store does not hold. In particular a patch is never
 * sent against a base the repository may not read, since the patch and the target would give the base away.
 */
public final class TransferService implements TransferHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TransferService.class);
    /**
     * Chunks an encoder or decoder holds at once: the chunk, its byte planes or its base's chunk, and their
     * compressed forms.
     */
    private static final int WORKING_CHUNKS = 4;
    /** How often a download reports its progress, in tensors. */
    private static final int PROGRESS_EVERY = 16;

    private final TensorStore store;
    private final EncoderOptions options;
    private final MemoryBudget memory;
    private final TransferLimits limits;
    private final Encoder encoder;

    /**
     * @param memory the daemon-wide budget for decoding and encoding buffers: each upload of a tensor (decoded to
     *     verify its id) and each fresh encoding holds {@link #workingBytes} of it, so concurrent transfers queue
     *     rather than grow the heap; a stored encoding is streamed in pieces and holds none
     */
    public TransferService(TensorStore store, TransferLimits limits, EncoderOptions options, MemoryBudget memory) {
        this.store = store;
        this.limits = limits;
        this.options = options;
        this.memory = memory;
        // The server encodes on the fly only against the client's tensors; rank detection is the client's job.
        this.encoder = new Encoder(options, LowRankDetector.NONE);
    }

    @Override
    public void serve(InputStream request, OutputStream response, RepositoryName repository, Caller caller,
            Permission held) throws IOException {
        RequestReader reader = new RequestReader(request, limits);
        ResponseWriter writer = new ResponseWriter(response);
        TransferRequest r;
        try {
            r = reader.readRequest();
        } catch (TransferProtocolException e) {
            writer.error(e.getMessage());
            return;
        }
        String repo = repository.toString();
        try {
            switch (r.command()) {
                case CAPABILITIES -> writer.advertise(ServerCapabilities.of(limits).withAgent("thetahost/0.1"));
                case LOOKUP -> lookup(r, writer, repo);
                case DOWNLOAD -> download(r, writer, repo);
                case UPLOAD -> {
                    if (!held.includes(Permission.WRITE)) {
                        throw new RequestRefusedException(AccessDecision.READ_ONLY.message(caller, repository));
                    }
                    upload(reader, writer, repo);
                }
                default -> throw new IllegalStateException("no handler for " + r.command());
            }
        } catch (DiskFullException | UncheckedIOException e) {
            // The store could not be reopened after a full disk (a lookup meets it unchecked): the client gets the
            // reason, not a dropped stream.
            if (!DiskFullException.causes(e)) {
                throw e;
            }
            LOG.warn("{} in {}: {}", r.command(), repo, e.getMessage());
            writer.error(Failures.DISK_FULL);
            return;
        }
        if (!writer.isFinished()) {
            writer.finish();
        }
    }

    /** The heap one tensor's encoding or decoding works in, at most: what it holds of the memory budget. */
    public static long workingBytes(EncoderOptions options) {
        return options.chunkBytes() * WORKING_CHUNKS;
    }

    /** Waits for this request's turn at the memory budget. */
    private MemoryBudget.Share share() throws IOException {
        try {
            return memory.acquire(Math.min(workingBytes(options), memory.bytes()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for memory");
        }
    }

    private Optional<TensorMeta> readable(String repo, TensorId id) {
        return store.readable(repo, id) ? store.meta(id) : Optional.empty();
    }

    private void lookup(TransferRequest r, ResponseWriter writer, String repo) throws IOException {
        for (TensorId id : r.ids()) {
            Optional<TensorMeta> meta = readable(repo, id);
            if (meta.isPresent()) {
                writer.present(id, meta.get().dtype(), meta.get().shape());
            } else {
                writer.missing(id);
            }
        }
    }

    private void upload(RequestReader reader, ResponseWriter writer, String repo) throws IOException {
        // Nothing is written before the whole request is read (PROTOCOL.md): results wait, one line each. Objects are
        // verified on the daemon's verifying threads while the next is read (ConcurrentPuts).
        List<Future<Result>> pending = new ArrayList<>();
        AtomicBoolean outOfSpace = new AtomicBoolean();
        try (ConcurrentPuts puts = new ConcurrentPuts(options.chunkBytes())) {
            try {
                for (Optional<IncomingObject> o; (o = reader.nextObject()).isPresent(); ) {
                    IncomingObject object = o.get();
                    TensorId declared = object.header().id();
                    if (outOfSpace.get()) {
                        // The rest is read and dropped, so the client, still sending, gets to read the reason.
                        object.body().skipRest();
                        continue;
                    }
                    pending.add(puts.submit(object.body(), share(), in -> verify(in, declared, repo, outOfSpace)));
                }
            } catch (TransferProtocolException e) {
                writer.error(e.getMessage());
                return;
            }
            List<Result> results = new ArrayList<>();
            IOException failure = null;
            for (Future<Result> f : pending) {
                try {
                    results.add(ConcurrentPuts.await(f));
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
            // An object verified beside the one that found the disk full may fail otherwise (the store reopens under
            // it): the full disk is the reason.
            Optional<Result> full = results.stream().filter(r -> r.diskFull() != null).findFirst();
            if (full.isPresent()) {
                LOG.warn("upload to {} stopped: {}", repo, full.get().diskFull().getMessage());
                writer.error(Failures.DISK_FULL);
                return;
            }
            if (failure != null) {
                throw failure;
            }
            for (Result result : results) {
                result.writeTo(writer);
            }
        }
    }

    /** Verifies and stores one uploaded object (on a verifying thread). */
    private Result verify(InputStream encoding, TensorId declared, String repo, AtomicBoolean outOfSpace)
            throws IOException {
        try {
            PutResult put = store.put(encoding, repo);
            if (!put.id().equals(declared)) {
                return Result.rejected(declared, "the encoding is of tensor " + put.id());
            }
            return put.status() == PutResult.Status.STORED ? Result.stored(declared) : Result.present(declared);
        } catch (InvalidEncodingException e) {
            return Result.rejected(declared, e.getMessage());
        } catch (IOException e) {
            if (!DiskFullException.causes(e)) {
                throw e;
            }
            outOfSpace.set(true);
            return Result.outOfSpace(declared, e);
        }
    }

    /** One uploaded object's outcome; {@code diskFull} when the store ran out of space storing it. */
    private record Result(TensorId id, String outcome, String reason, IOException diskFull) {
        static Result stored(TensorId id) {
            return new Result(id, "stored", null, null);
        }

        static Result present(TensorId id) {
            return new Result(id, "present", null, null);
        }

        static Result rejected(TensorId id, String reason) {
            return new Result(id, "rejected", reason, null);
        }

        static Result outOfSpace(TensorId id, IOException e) {
            return new Result(id, "failed", null, e);
        }

        void writeTo(ResponseWriter writer) throws IOException {
            switch (outcome) {
                case "stored" -> writer.stored(id);
                case "present" -> writer.present(id);
                default -> writer.rejected(id, reason);
            }
        }
    }

    private void download(TransferRequest r, ResponseWriter writer, String repo) throws IOException {
        Set<TensorId> offered = r.offeredBases();
        int sent = 0;
        for (Want want : r.wants()) {
            Optional<TensorMeta> meta = readable(repo, want.id());
            if (meta.isEmpty()) {
                writer.missing(want.id());
                continue;
            }
            send(meta.get(), want, offered, r.readsEncodingVersion(), writer, repo);
            sent++;
            if (sent % PROGRESS_EVERY == 0 || sent == r.wants().size()) {
                writer.progress("sent " + sent + " of " + r.wants().size() + " tensors");
            }
        }
    }

    /**
     * Sends one tensor: its stored encoding when that is a patch against a tensor the client offered (and this
     * repository may read), or dense when the want names no base of its dtype and shape; else the smallest encoding
     * made now against the nearest of the bases the want names (compared by {@link Encoder#nearest}, a count of the
     * bits that differ), every kind tried, dense included; the same for a stored encoding in a format version newer
     * than the client reads (its {@code encoding-version} capability). A tensor stored dense (a root of its chains,
     * which a repack may have made of any version) thus still travels as a patch to a client that holds a neighbour.
     */
    private void send(TensorMeta meta, Want want, Set<TensorId> offered, int readsVersion, ResponseWriter writer,
            String repo) throws IOException {
        TensorId storedBase = meta.base();
        List<Encoder.Base> candidates = new ArrayList<>();
        for (TensorId b : want.bases()) {
            store.meta(b).filter(m -> m.dtype() == meta.dtype() && m.shape().equals(meta.shape())
                    && store.readable(repo, b)).ifPresent(m -> candidates.add(new Encoder.Base(input(m), m.id())));
        }
        // A client that decodes only older formats gets a fresh encoding (this server makes no low-rank one).
        boolean readable = EncodingHeader.versionFor(meta.kind()) <= readsVersion;
        boolean storedFits = readable && (storedBase == null ? candidates.isEmpty()
                : offered.contains(storedBase) && store.readable(repo, storedBase));
        if (storedFits) {
            try (StoredEncoding stored = store.encoding(meta.id()).orElseThrow(() -> gone(meta.id()))) {
                WireEncoding kind = wire(meta.kind().displayName());
                OutputStream out = storedBase == null
                        ? writer.object(meta.id(), kind, meta.encodedBytes())
                        : writer.object(meta.id(), kind, storedBase, meta.encodedBytes());
                stored.bytes().transferTo(out);
                out.close();
            }
            return;
        }
        try (MemoryBudget.Share share = share()) {
            sendFresh(meta, candidates, writer);
        }
    }

    private void sendFresh(TensorMeta meta, List<Encoder.Base> candidates, ResponseWriter writer) throws IOException {
        Optional<Encoder.Base> base = encoder.nearest(input(meta), candidates, Math.max(1, candidates.size()));
        try (Encoder.Result encoded = encoder.encode(input(meta), meta.id(), base, Optional.empty())) {
            WireEncoding kind = wire(encoded.kind().displayName());
            long length = encoded.encoding().size();
            OutputStream out = kind.needsBase()
                    ? writer.object(meta.id(), kind, base.get().id(), length)
                    : writer.object(meta.id(), kind, length);
            try (InputStream in = encoded.encoding().open()) {
                in.transferTo(out);
            }
            out.close();
        }
    }

    private TensorInput input(TensorMeta meta) {
        return new TensorInput.Of(meta.dtype(), meta.shape(), () -> store.open(meta.id()).orElseThrow(
                () -> gone(meta.id())));
    }

    private static IOException gone(TensorId id) {
        return new IOException("tensor " + id + " left the store while it was being sent");
    }

    private static WireEncoding wire(String name) {
        return WireEncoding.byWireName(name).orElseThrow(() -> new IllegalStateException("no wire name " + name));
    }
}
