package io.thetahost.http.api;

import io.thetahost.http.compare.RevisionComparison;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RevisionTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * A commit as the history lists it: who, when, what it says, and how many parameters it added, removed or changed
 * against its first parent (tensor ids compared, nothing read from the store).
 */
public record CommitSummary(RevCommit commit, long changedParameters) {

    /** {@code count} commits reachable from {@code tip}, newest first, after skipping {@code skip}. */
    public static List<CommitSummary> page(RepositoryReader repo, ReadContext context, RevCommit tip, int skip,
            int count) throws IOException {
        List<CommitSummary> out = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo.repository())) {
            walk.sort(RevSort.COMMIT_TIME_DESC);
            walk.markStart(walk.parseCommit(tip));
            int seen = 0;
            for (RevCommit c : walk) {
                if (seen++ < skip) {
                    continue;
                }
                if (out.size() == count) {
                    break;
                }
                out.add(new CommitSummary(c, changed(repo, context, c)));
            }
        }
        return out;
    }

    private static long changed(RepositoryReader repo, ReadContext context, RevCommit c) throws IOException {
        ObjectReader reader = repo.repository().newObjectReader();
        try (reader; RevWalk walk = new RevWalk(reader)) {
            RevCommit commit = walk.parseCommit(c);
            RevisionTree to = new RevisionTree(reader, commit);
            RevisionTree from = commit.getParentCount() == 0 ? null
                    : new RevisionTree(reader, walk.parseCommit(commit.getParent(0)));
            return new RevisionComparison(repo, context.differences()).compare(from, to, false)
                    .changedParameters();
        }
    }

    public JsonObject toJson() {
        JsonArray parents = new JsonArray();
        for (RevCommit p : commit.getParents()) {
            parents.add(p.name());
        }
        return new JsonObject().put("id", commit.name()).put("parents", parents)
                .put("author", new JsonObject().put("name", commit.getAuthorIdent().getName())
                        .put("email", commit.getAuthorIdent().getEmailAddress()))
                .put("authored", commit.getAuthorIdent().getWhenAsInstant().toString())
                .put("committed", Instant.ofEpochSecond(commit.getCommitTime()).toString())
                .put("message", commit.getFullMessage())
                .put("changedParameters", changedParameters);
    }
}
