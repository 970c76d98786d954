package io.thetahost.client.install;

import io.thetahost.client.repository.ThetaRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theta track PATTERN...}: marks paths as checkpoints in {@code .gitattributes} (filter, diff and merge by
 * theta) and stages it, so that the next commit and every clone treat them alike.
 */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = "Track checkpoints matching PATTERN with theta (writes and stages .gitattributes).")
public final class TrackCommand implements Callable<Integer> {
    static final String ATTRIBUTES = "filter=theta diff=theta merge=theta";

    @Parameters(paramLabel = "PATTERN", arity = "1..*",
            description = "gitattributes patterns, for example *.safetensors or model.safetensors")
    List<String> patterns;

    @Override
    public Integer call() throws IOException {
        ThetaRepository repo = ThetaRepository.here();
        Path file = repo.workTree().resolve(".gitattributes");
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        StringBuilder add = new StringBuilder();
        for (String pattern : patterns) {
            if (pattern.isBlank() || pattern.contains("\n") || pattern.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("pattern '" + pattern.strip()
                        + "' has white space; gitattributes patterns cannot");
            }
            String line = pattern + " " + ATTRIBUTES;
            if (text.lines().anyMatch(l -> l.strip().equals(line)) || add.indexOf(line + "\n") >= 0) {
                System.out.println("theta: " + pattern + " is tracked already");
                continue;
            }
            add.append(line).append('\n');
            System.out.println("theta: tracking " + pattern);
        }
        if (add.length() > 0) {
            String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
            Files.writeString(file, text + sep + add, StandardCharsets.UTF_8);
        }
        repo.git().output("add", "--", ".gitattributes");
        return 0;
    }
}
