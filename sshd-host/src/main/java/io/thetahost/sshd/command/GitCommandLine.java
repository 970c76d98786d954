package io.thetahost.sshd.command;

import io.thetahost.hooks.transport.GitService;

/**
 * The exec request git sends over SSH, such as {@code git-upload-pack '/alice/t5.git'}: a service and one path,
 * quoted the way git's {@code sq_quote} quotes it. Anything else is refused with a message.
 */
public record GitCommandLine(GitService service, String path) {
    public static final int MAX_LENGTH = 4096;

    /** @throws IllegalArgumentException with a message for the person at the other end */
    public static GitCommandLine parse(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("no command given");
        }
        if (command.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("command longer than " + MAX_LENGTH + " characters");
        }
        String c = command.strip();
        String verb;
        String rest;
        if (c.startsWith("git ")) {
            String afterGit = c.substring(4).stripLeading();
            int sp = afterGit.indexOf(' ');
            verb = "git-" + (sp < 0 ? afterGit : afterGit.substring(0, sp));
            rest = sp < 0 ? "" : afterGit.substring(sp + 1);
        } else {
            int sp = c.indexOf(' ');
            verb = sp < 0 ? c : c.substring(0, sp);
            rest = sp < 0 ? "" : c.substring(sp + 1);
        }
        GitService service = GitService.byName(verb).orElseThrow(() -> new IllegalArgumentException(
                "unknown command '" + printable(verb)
                        + "': this server runs only git-upload-pack, git-receive-pack and theta-transfer"));
        String path = singleWord(rest.strip());
        if (path.isEmpty()) {
            throw new IllegalArgumentException(verb + " needs a repository path, for example '/OWNER/NAME.git'");
        }
        return new GitCommandLine(service, path);
    }

    /** Unquotes one shell word made of '...' runs, backslash escapes and plain characters. */
    private static String singleWord(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated quote in repository path");
                }
                out.append(s, i + 1, end);
                i = end + 1;
            } else if (ch == '\\') {
                if (i + 1 >= s.length()) {
                    throw new IllegalArgumentException("trailing backslash in repository path");
                }
                out.append(s.charAt(i + 1));
                i += 2;
            } else if (Character.isWhitespace(ch)) {
                throw new IllegalArgumentException("expected exactly one repository path");
            } else if ("\"$`;&|<>(){}*?[]~#".indexOf(ch) >= 0) {
                throw new IllegalArgumentException("unexpected character '" + ch + "' in repository path");
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    private static String printable(String s) {
        return (s.length() > 60 ? s.substring(0, 60) + "..." : s).replaceAll("\\p{Cntrl}", "?");
    }
}
