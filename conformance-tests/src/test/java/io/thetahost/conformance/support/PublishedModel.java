package io.thetahost.conformance.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model repository as its owner publishes it for people who only download: pushed with theta over HTTP from a
 * remote URL that carries {@code user:token@}, a base checkpoint, a checkpoint of base and adapter tensors, a config,
 * a file in a folder, a tag {@code v1}, and a branch {@code feature/merged} whose model is the LoRA-merged one.
 */
public record PublishedModel(String repo, String main, String feature, byte[] model, byte[] withAdapter,
        byte[] merged, byte[] config) {
    public static final String MODEL = "model.safetensors";
    public static final String WITH_ADAPTER = "with_adapter.safetensors";
    public static final String CONFIG = "config.json";
    public static final String NOTES = "docs/notes.md";
    public static final String FEATURE = "feature/merged";

    public static PublishedModel publish(ThetahostServer server, GitUser owner, Path base, String repo,
            String... createFlags) throws Exception {
        String[] create = new String[3 + createFlags.length];
        create[0] = "repo";
        create[1] = "create";
        create[2] = repo;
        System.arraycopy(createFlags, 0, create, 3, createFlags.length);
        server.admin(create).assertOk();
        Path work = Files.createTempDirectory(base, "publish-");
        String url = "http://" + owner.name() + ":" + owner.token() + "@127.0.0.1:" + server.httpPort() + "/" + repo
                + ".git";
        owner.git(work, "clone", url, "w").assertOk();
        ModelRepo w = new ModelRepo(owner, work.resolve("w"), Map.of("THETA_NO_PROMPT", "1"));
        w.theta("install").assertOk();
        w.theta("track", "*.safetensors").assertOk();
        byte[] model = Files.readAllBytes(Fixtures.checkpoint("base.safetensors"));
        byte[] withAdapter = CheckpointFiles.combine(CheckpointFiles.read(Fixtures.checkpoint("base.safetensors")),
                CheckpointFiles.read(Fixtures.checkpoint("adapter_model.safetensors")));
        byte[] config = "{\"model_type\": \"gpt2\", \"n_layer\": 4}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(w.file(MODEL), model);
        Files.write(w.file(WITH_ADAPTER), withAdapter);
        Files.write(w.file(CONFIG), config);
        Files.createDirectories(w.file("docs"));
        Files.writeString(w.file(NOTES), "# notes\n");
        Files.writeString(w.file("README.md"), "# " + repo + "\n\nA small GPT-2 for tests.\n");
        w.git("add", ".").assertOk();
        w.git("commit", "-m", "base and adapter").assertOk();
        w.git("tag", "v1").assertOk();
        w.git("push", "origin", "HEAD:main", "v1").assertOk();
        String main = w.git("rev-parse", "HEAD").assertOk().out().strip();

        w.git("checkout", "-b", FEATURE).assertOk();
        byte[] merged = Files.readAllBytes(Fixtures.checkpoint("lora_merged.safetensors"));
        Files.write(w.file(MODEL), merged);
        w.git("commit", "-am", "merge the adapter").assertOk();
        w.git("push", "origin", FEATURE).assertOk();
        String feature = w.git("rev-parse", "HEAD").assertOk().out().strip();
        return new PublishedModel(repo, main, feature, model, withAdapter, merged, config);
    }
}
