package io.thetahost.conformance.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Theta;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The theta transfer protocol against the real daemon, over SSH and HTTP, with bin/theta as a user runs it: only
 * what the other side lacks moves, as the smallest encoding against what it has, and every tensor arrives exact.
 */
class TensorTransferTest extends SharedDaemon {
    static GitUser bob;
    static Path base;
    static Path lora;
    static Path adapter;

    @BeforeAll
    static void setUp() {
        bob = GitUser.create(server, SharedDaemon.base, "bob");
        base = Fixtures.checkpoint("base.safetensors");
        lora = Fixtures.checkpoint("lora_merged.safetensors");
        adapter = Fixtures.checkpoint("adapter_model.safetensors");
    }

    private static Path dir(String name) throws Exception {
        return Files.createTempDirectory(SharedDaemon.base, name + "-");
    }

    /** What bin/theta delta says the LoRA update costs: the figure the wire bytes are held to. */
    private static long deltaBytes(Path work) throws Exception {
        Cmd.Result r = Theta.run(alice, work, "delta", base.toString(), lora.toString(), "--adapter",
                adapter.toString(), "--json").assertOk();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"total_bytes\" : (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void uploadBaseThenTheLoraPatchThenDownloadItExactly(Transport transport) throws Exception {
        String repo = "alice/xfer-" + transport.name().toLowerCase();
        server.admin("repo", "create", repo).assertOk();
        String url = alice.url(transport, repo);
        Path work = dir("xfer");
        String store1 = work.resolve("store1").toString();

        Cmd.Result first = Theta.run(alice, work, "tensors", "upload", url, base.toString(), "--store", store1)
                .assertOk();
        assertTrue(first.out().contains("uploaded 52 tensors (") && first.out().contains("0 already there"),
                first.out());
        Cmd.Result patch = Theta.run(alice, work, "tensors", "upload", url, lora.toString(), "--base",
                base.toString(), "--adapter", adapter.toString(), "--store", store1).assertOk();
        assertTrue(patch.out().contains("uploaded 12 tensors (") && patch.out().contains("40 already there"),
                patch.out());

        Path manifest = work.resolve("lora.manifest.json");
        Files.writeString(manifest, Theta.run(alice, work, "tensors", "manifest", lora.toString()).assertOk().out());
        Path out = work.resolve("downloaded.safetensors");
        Cmd.Result download = Theta.run(alice, work, "tensors", "download", url, manifest.toString(), "--base",
                base.toString(), "--store", work.resolve("store2").toString(), "-o", out.toString()).assertOk();
        assertTrue(download.out().contains("downloaded 12 tensors"), download.out());
        assertEquals(-1L, Files.mismatch(lora, out), "the downloaded checkpoint is byte for byte lora_merged");

        long delta = deltaBytes(work);
        long uploaded = Theta.wireBytes(patch)[0];
        long downloaded = Theta.wireBytes(download)[1];
        assertTrue(Math.abs(uploaded - delta) <= delta / 10, "patch upload sent " + uploaded + " bytes; theta delta "
                + "says the update is " + delta);
        assertTrue(Math.abs(downloaded - delta) <= delta / 10, "download received " + downloaded + " bytes; theta "
                + "delta says the update is " + delta);
        assertTrue(server.requestLog().stream().anyMatch(l -> l.contains("service=theta-transfer")
                && l.contains("transport=" + transport.name().toLowerCase()) && l.contains("protocol=1")));

        if (transport == Transport.HTTP) {
            aClientThatReadsOnlyFormatOneIsSentNoFormatTwoPatch(url, work);
        }
    }

    /**
     * A client that does not say it decodes encoding format 2 (one from before it existed) is never sent a version-2
     * low-rank patch: the server encodes the tensor again in a format it reads; a client that says so gets the stored
     * patch. Asked over HTTP with a raw request, as such a client sends it, of a repository holding base and the
     * LoRA patch against it.
     */
    private static void aClientThatReadsOnlyFormatOneIsSentNoFormatTwoPatch(String url, Path work) throws Exception {
        String name = "transformer.h.0.attn.c_attn.weight";
        String target = idOf(work, lora, name);
        String baseId = idOf(work, base, name);
        String old = rawDownload(url, target, baseId, null);
        assertTrue(old.contains("object " + target + " "), old);
        assertTrue(!old.contains("object " + target + " low-rank"), "an old client gets no low-rank patch: " + old);
        String current = rawDownload(url, target, baseId, "2");
        assertTrue(current.contains("object " + target + " low-rank "), current);
    }


    @ParameterizedTest
    @EnumSource(Transport.class)
    void aRetriedUploadSkipsWhatIsStored(Transport transport) throws Exception {
        String repo = "alice/retry-" + transport.name().toLowerCase();
        server.admin("repo", "create", repo).assertOk();
        Path work = dir("retry");
        String store = work.resolve("store").toString();
        Theta.run(alice, work, "tensors", "upload", alice.url(transport, repo), base.toString(), "--store", store)
                .assertOk();
        Cmd.Result again = Theta.run(alice, work, "tensors", "upload", alice.url(transport, repo), base.toString(),
                "--store", store).assertOk();
        assertTrue(again.out().contains("uploaded 0 tensors (0 new to the server), 52 already there"),
                again.out());
        assertTrue(Theta.wireBytes(again)[0] < 20_000, "a retry only looks up: " + again.out());
    }

    @Test
    void tensorsAreReadableOnlyThroughRepositoriesThatReceivedThem() throws Exception {
        server.admin("repo", "create", "alice/secret").assertOk();
        server.admin("repo", "create", "alice/open", "--public").assertOk();
        server.admin("repo", "create", "bob/mine").assertOk();
        Path work = dir("access");
        Theta.run(alice, work, "tensors", "upload", alice.url(Transport.SSH, "alice/secret"), base.toString(),
                "--store", work.resolve("alice-store").toString()).assertOk();
        Path manifest = work.resolve("base.manifest.json");
        Files.writeString(manifest, Theta.run(alice, work, "tensors", "manifest", base.toString()).assertOk().out());

        for (Transport t : Transport.values()) {
            // bob knows every id, but cannot read alice/secret: the repository itself answers as if absent.
            Cmd.Result direct = Theta.run(bob, work, "tensors", "download", bob.url(t, "alice/secret"),
                    manifest.toString(), "--store", work.resolve("bob-" + t).toString(), "-o",
                    work.resolve("no.safetensors").toString());
            direct.assertFailed();
            assertTrue(direct.err().contains("not found"), direct.err());
            // Through his own repository, and through a public one that never received them: missing.
            for (String repo : new String[] {"bob/mine", "alice/open"}) {
                Cmd.Result via = Theta.run(bob, work, "tensors", "download", bob.url(t, repo), manifest.toString(),
                        "--store", work.resolve("bob-" + t + "-" + repo.replace('/', '-')).toString(), "-o",
                        work.resolve("no.safetensors").toString());
                via.assertFailed();
                assertTrue(via.err().contains("does not have (or does not let you read) 52 tensor(s)"), via.err());
            }
        }
        assertTrue(Files.notExists(work.resolve("no.safetensors")), "nothing was written");
    }

    /** The id of tensor {@code name} in {@code checkpoint}, as theta tensors manifest lists it. */
    private static String idOf(Path work, Path checkpoint, String name) {
        String json = Theta.run(alice, work, "tensors", "manifest", checkpoint.toString()).assertOk().out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\": \"" + java.util.regex.Pattern.quote(
                name) + "\",[^}]*?\"id\": \"(sha256:[0-9a-f]{64})\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    /** A download request as a client written before encoding-version would send it, the object lines answered. */
    private static String rawDownload(String url, String want, String base, String encodingVersion)
            throws Exception {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        pkt(body, "theta-transfer 1\n");
        pkt(body, "command=download\n");
        pkt(body, "agent=old/0.1\n");
        if (encodingVersion != null) {
            pkt(body, "encoding-version=" + encodingVersion + "\n");
        }
        body.write("0001".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        pkt(body, "want " + want + " base " + base + "\n");
        body.write("0000".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.net.URI uri = java.net.URI.create(url + (url.endsWith("/") ? "" : "/") + "theta-transfer");
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .header("Content-Type", "application/x-theta-transfer-request")
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("alice:" + alice.token()).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build();
        java.net.http.HttpResponse<byte[]> response = java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(),
                java.nio.charset.StandardCharsets.ISO_8859_1));
        return new String(response.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void pkt(java.io.ByteArrayOutputStream out, String line) throws java.io.IOException {
        byte[] b = line.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(String.format("%04x", b.length + 4).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(b);
    }

    @Test
    void readersCannotUpload() throws Exception {
        server.admin("repo", "create", "alice/readonly").assertOk();
        server.admin("repo", "grant", "alice/readonly", "bob", "read").assertOk();
        Path work = dir("readonly");
        for (Transport t : Transport.values()) {
            Cmd.Result r = Theta.run(bob, work, "tensors", "upload", bob.url(t, "alice/readonly"), base.toString(),
                    "--store", work.resolve("store-" + t).toString());
            r.assertFailed();
            assertTrue(r.err().contains("bob may read alice/readonly but not write to it"), r.err());
            // Refused as the transport refuses a push (PROTOCOL.md §9): 403 on HTTP, ERROR on SSH's stderr.
            assertTrue(r.err().contains(t == Transport.HTTP ? "HTTP 403" : "ERROR: permission denied"), r.err());
        }
    }
}
