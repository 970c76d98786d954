package io.thetahost.hooks.upload;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

/** A JGit repository holding commits c0 .. c(n-1), each the parent of the next. */
final class LinearHistory implements AutoCloseable {
    private final Git git;
    private final List<RevCommit> commits = new ArrayList<>();

    LinearHistory(File dir, int length) throws Exception {
        git = Git.init().setDirectory(dir).call();
        PersonIdent who = new PersonIdent("Test", "test@example.com");
        for (int i = 0; i < length; i++) {
            commits.add(git.commit().setAllowEmpty(true).setMessage("c" + i).setAuthor(who).setCommitter(who).call());
        }
    }

    Repository repository() {
        return git.getRepository();
    }

    /** The id of {@code tip~back}. */
    String tipMinus(int back) {
        return commits.get(commits.size() - 1 - back).name();
    }

    String tip() {
        return tipMinus(0);
    }

    @Override
    public void close() {
        git.close();
    }
}
