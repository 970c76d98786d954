package io.thetahost.client.tensors;

import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.client.hints.AdapterOption;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.store.LocalStore;
import io.thetahost.client.transfer.TensorTransfers;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.hints.LoraAdapter;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.transfer.Want;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code theta tensors ...}: move a checkpoint's tensors between the local store and a remote with the theta transfer
 * protocol, without git (what {@code git push}/{@code checkout} will do through the filter).
 */
@Command(name = "tensors", mixinStandardHelpOptions = true,
        description = "Move checkpoints' tensors between the local store and a remote repository.",
        subcommands = {TensorsCommand.Upload.class, TensorsCommand.Download.class, TensorsCommand.ManifestOf.class})
public final class TensorsCommand {

    /** Same-named tensors of a base checkpoint, by name. */
    static Map<String, TensorId> byName(Manifest m) {
        Map<String, TensorId> out = new HashMap<>();
        for (ManifestTensor t : m.tensors()) {
            out.put(t.name(), t.id());
        }
        return out;
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Store CHECKPOINT's tensors locally and upload those the remote lacks, each encoded against "
                    + "the same-named tensor of --base when the remote has it.")
    static final class Upload implements Callable<Integer> {
        @Mixin
        RemoteOption remote;

        @Parameters(index = "1", paramLabel = "CHECKPOINT")
        Path checkpoint;

        @Option(names = "--base", paramLabel = "BASE", description = "The checkpoint CHECKPOINT was made from.")
        Path base;

        @Mixin
        AdapterOption adapter;

        @Mixin
        StoreOption store;

        @Override
        public Integer call() throws IOException {
            try (LocalStore local = store.open()) {
                Manifest target = local.add(checkpoint, Progress.on(System.err));
                Map<String, TensorId> bases = base == null ? Map.of() : byName(local.add(base, Progress.on(System.err)));
                Optional<LoraAdapter> lora = adapter.load();
                Checkpoint file = Checkpoint.open(checkpoint);
                Map<String, TensorEntry> entries = file.tensors();
                List<TensorTransfers.Upload> items = new ArrayList<>();
                for (ManifestTensor t : target.tensors()) {
                    TensorId b = bases.get(t.name());
                    Optional<LowRankFactors> hint = b == null || b.equals(t.id()) ? Optional.empty()
                            : AdapterOption.hint(lora, t.name(), t.shape(), file.input(entries.get(t.name())),
                                    local.input(b).orElse(null));
                    items.add(new TensorTransfers.Upload(t.id(), b == null ? List.of() : List.of(b), hint, t.name()));
                }
                TensorTransfers transfers = remote.transfers(local);
                TensorTransfers.UploadReport report = transfers.upload(items);
                System.out.println("uploaded " + report.sent().size() + " tensors (" + report.newToServer().size()
                        + " new to the server), " + report.alreadyThere().size() + " already there; "
                        + transfers.bytesSent() + " bytes sent, " + transfers.bytesReceived() + " received");
                return 0;
            }
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download the tensors MANIFEST names that the local store lacks (offering the same-named "
                    + "tensors of --base as bases) and write the checkpoint to -o.")
    static final class Download implements Callable<Integer> {
        @Mixin
        RemoteOption remote;

        @Parameters(index = "1", paramLabel = "MANIFEST", description = "The checkpoint's manifest (JSON).")
        Path manifestFile;

        @Option(names = "--base", paramLabel = "BASE", description = "A checkpoint whose tensors are held here.")
        Path base;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
                description = "Where to write the checkpoint.")
        Path output;

        @Mixin
        StoreOption store;

        @Override
        public Integer call() throws IOException {
            Manifest manifest = ManifestFormat.read(Files.readAllBytes(manifestFile));
            try (LocalStore local = store.open()) {
                Map<String, TensorId> bases = base == null ? Map.of() : byName(local.add(base, Progress.on(System.err)));
                List<Want> wants = new ArrayList<>();
                for (ManifestTensor t : manifest.tensors()) {
                    if (local.has(t.id()) || wants.stream().anyMatch(w -> w.id().equals(t.id()))) {
                        continue;
                    }
                    TensorId b = bases.get(t.name());
                    wants.add(b == null || b.equals(t.id()) ? Want.of(t.id()) : Want.of(t.id(), b));
                }
                TensorTransfers transfers = remote.transfers(local);
                TensorTransfers.DownloadReport report = transfers.download(wants, bases.values());
                if (!report.missing().isEmpty()) {
                    throw new IOException("the remote does not have (or does not let you read) "
                            + report.missing().size() + " tensor(s), for example " + report.missing().get(0));
                }
                local.assemble(manifest, output);
                System.out.println("downloaded " + report.received().size() + " tensors; " + transfers.bytesSent()
                        + " bytes sent, " + transfers.bytesReceived() + " received; wrote " + output);
                return 0;
            }
        }
    }

    @Command(name = "manifest", mixinStandardHelpOptions = true,
            description = "Print the manifest of a checkpoint (what git stores instead of the file).")
    static final class ManifestOf implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CHECKPOINT")
        Path checkpoint;

        @Override
        public Integer call() throws IOException {
            Manifest m = io.thetahost.protocol.manifest.Checkpoints.split(checkpoint,
                    io.thetahost.protocol.safetensors.SafetensorsLimits.defaults(),
                    io.thetahost.protocol.manifest.TensorSink.DISCARD);
            System.out.write(ManifestFormat.write(m));
            System.out.flush();
            return 0;
        }
    }
}
