package io.thetahost.http.read;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * What a revision in a URL names: a branch, then a tag, then a commit id (full, or abbreviated to at least 7 hex
 * digits and unique). Nothing else: no git revision expressions ({@code main~2}, {@code @{1}}, {@code :/text}), which
 * would let a URL walk history or search it.
 */
public final class Revisions {
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-fA-F]{7,40}");
    /** The longest revision considered: longer is no branch, tag or commit id here. */
    static final int MAX_LENGTH = 255;

    private Revisions() {
    }

    /** The commit {@code revision} names, if any. */
    public static Optional<RevCommit> resolve(Repository repository, String revision) throws IOException {
        if (revision.isEmpty() || revision.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        for (String prefix : List.of(Constants.R_HEADS, Constants.R_TAGS)) {
            String name = prefix + revision;
            if (Repository.isValidRefName(name)) {
                Ref ref = repository.exactRef(name);
                if (ref != null) {
                    return commit(repository, ref.getObjectId());
                }
            }
        }
        if (!COMMIT_ID.matcher(revision).matches()) {
            return Optional.empty();
        }
        try (ObjectReader reader = repository.newObjectReader()) {
            Collection<ObjectId> matches = reader.resolve(AbbreviatedObjectId.fromString(revision));
            return matches.size() == 1 ? commit(repository, matches.iterator().next()) : Optional.empty();
        }
    }

    /** Whether {@code revision} is a branch or tag (a name, as opposed to a commit id). */
    public static boolean isRefName(Repository repository, String revision) throws IOException {
        return !revision.isEmpty() && revision.length() <= MAX_LENGTH
                && (refExists(repository, Constants.R_HEADS + revision)
                        || refExists(repository, Constants.R_TAGS + revision));
    }

    private static boolean refExists(Repository repository, String name) throws IOException {
        return Repository.isValidRefName(name) && repository.exactRef(name) != null;
    }

    /** A branch or tag and the commit it names (a tag peeled to its commit). */
    public record NamedRef(String name, String refName, String commit) {
    }

    /** The branches, then the tags, each in name order. */
    public static List<NamedRef> branches(Repository repository) throws IOException {
        return named(repository, Constants.R_HEADS);
    }

    public static List<NamedRef> tags(Repository repository) throws IOException {
        return named(repository, Constants.R_TAGS);
    }

    private static List<NamedRef> named(Repository repository, String prefix) throws IOException {
        List<NamedRef> out = new java.util.ArrayList<>();
        for (Ref ref : repository.getRefDatabase().getRefsByPrefix(prefix)) {
            Ref peeled = repository.getRefDatabase().peel(ref);
            ObjectId commit = peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : ref.getObjectId();
            out.add(new NamedRef(Repository.shortenRefName(ref.getName()), ref.getName(), commit.name()));
        }
        return out;
    }

    /** The default branch: what HEAD points at. */
    public static Optional<String> defaultBranch(Repository repository) throws IOException {
        Ref head = repository.exactRef(Constants.HEAD);
        if (head == null || !head.isSymbolic()) {
            return Optional.empty();
        }
        return Optional.of(Repository.shortenRefName(head.getTarget().getName()));
    }

    private static Optional<RevCommit> commit(Repository repository, ObjectId id) throws IOException {
        if (id == null) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(repository)) {
            return Optional.of(walk.parseCommit(id));
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            return Optional.empty();
        }
    }
}
