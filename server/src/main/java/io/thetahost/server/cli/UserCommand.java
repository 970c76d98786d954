package io.thetahost.server.cli;

import io.thetahost.server.registry.AdminException;
import java.util.ArrayList;
import java.util.List;
import io.thetahost.sshd.auth.AuthorizedKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code thetahost user ...}: users and their SSH keys. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users and their SSH keys.",
        subcommands = {UserCommand.Add.class, UserCommand.Key.class, UserCommand.ListUsers.class})
public final class UserCommand {
    /** Public key files are one line; anything this large is not one. */
    static final long MAX_KEY_FILE_BYTES = 64 * 1024;

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user, optionally with an SSH key.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(paramLabel = "NAME", description = "The user name.")
        String name;

        @Option(names = "--ssh-key", paramLabel = "FILE", description = "An OpenSSH public key file (.pub).")
        Path keyFile;

        @Override
        public Integer call() throws IOException, AdminException {
            AuthorizedKey key = keyFile == null ? null : readKey(keyFile);
            data.change(s -> s.users().add(name, key));
            System.err.println("added user " + name + (key == null ? "" : " with key " + key.fingerprint()));
            return 0;
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true, description = "Manage a user's SSH keys.",
            subcommands = {KeyAdd.class})
    static final class Key {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an SSH public key to a user.")
    static final class KeyAdd implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", description = "An OpenSSH public key file (.pub).")
        Path keyFile;

        @Override
        public Integer call() throws IOException, AdminException {
            AuthorizedKey key = readKey(keyFile);
            data.change(s -> s.users().addKey(name, key));
            System.err.println("added key " + key.fingerprint() + " to " + name);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Override
        public Integer call() throws IOException, AdminException {
            List<String> lines = data.with(s -> {
                List<String> out = new ArrayList<>();
                for (String user : s.users().list()) {
                    out.add(user + "\t" + s.users().authorizedKeys(user).size() + " key(s)");
                }
                return out;
            });
            lines.forEach(System.out::println);
            return 0;
        }
    }

    static AuthorizedKey readKey(Path file) throws IOException, AdminException {
        if (!Files.isRegularFile(file)) {
            throw new AdminException("no key file " + file);
        }
        if (Files.size(file) > MAX_KEY_FILE_BYTES) {
            throw new AdminException(file + " is too large to be a public key file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AdminException(file + " is not a text file; give an OpenSSH public key file (.pub)");
        }
        try {
            return AuthorizedKey.parse(text);
        } catch (IllegalArgumentException e) {
            throw new AdminException(file + ": " + e.getMessage());
        }
    }
}
