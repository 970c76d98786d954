package io.thetahost.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.server.registry.HostedRepositories.Listing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostedRepositoriesTest {
    private static final RepositoryName PRIVATE = RepositoryName.parse("alice/private");
    private static final RepositoryName PUBLIC = RepositoryName.parse("alice/public");
    private static final Caller ALICE = Caller.user("alice");
    private static final Caller BOB = Caller.user("bob");

    @TempDir
    Path tmp;

    private DataDirectory data;
    private HostedRepositories repos;

    @BeforeEach
    void twoRepositoriesOfAlice() throws Exception {
        data = DataDirectory.open(tmp.resolve("data"));
        UserRegistry users = new UserRegistry(data);
        users.add("alice", null);
        users.add("bob", null);
        users.add("carol", null);
        repos = new HostedRepositories(new BareRepositories(data), users);
        repos.create(PRIVATE, false);
        repos.create(PUBLIC, true);
    }

    private Permission of(Caller caller, RepositoryName name) {
        return repos.permission(caller, name);
    }

    @Test
    void ownerHoldsAdmin() {
        assertEquals(Permission.ADMIN, of(ALICE, PRIVATE));
        assertEquals(Permission.ADMIN, of(ALICE, PUBLIC));
    }

    @Test
    void otherUsersHoldNothingOnPrivateAndReadOnPublic() {
        assertEquals(Permission.NONE, of(BOB, PRIVATE));
        assertEquals(Permission.READ, of(BOB, PUBLIC));
    }

    @Test
    void anonymousReadsOnlyPublic() {
        assertEquals(Permission.NONE, of(Caller.anonymous(), PRIVATE));
        assertEquals(Permission.READ, of(Caller.anonymous(), PUBLIC));
    }

    @Test
    void unregisteredUserCountsAsAnonymousEvenWhenNamedLikeTheOwner() throws Exception {
        RepositoryName daves = RepositoryName.parse("dave/t5");
        repos.create(daves, false);
        assertEquals(Permission.NONE, of(Caller.user("dave"), daves));
        assertEquals(Permission.READ, of(Caller.user("mallory"), PUBLIC));
    }

    @Test
    void missingRepositoryGivesNothingEvenToItsOwner() {
        assertEquals(Permission.NONE, of(ALICE, RepositoryName.parse("alice/nope")));
        assertThrows(RepositoryNotFoundException.class, () -> repos.open(RepositoryName.parse("alice/nope")));
    }

    @Test
    void createMakesABareRepositoryOnMain() throws Exception {
        try (Repository r = repos.open(PRIVATE)) {
            assertTrue(r.isBare());
            assertEquals("refs/heads/main", r.getFullBranch());
            assertEquals(data.repositories().resolve("alice/private.git").toRealPath(), r.getDirectory().toPath());
        }
    }

    @Test
    void grantsTakeEffectAtOnce() throws Exception {
        repos.grant(PRIVATE, "bob", Permission.READ);
        assertEquals(Permission.READ, of(BOB, PRIVATE));
        repos.grant(PRIVATE, "bob", Permission.WRITE);
        assertEquals(Permission.WRITE, of(BOB, PRIVATE));
        repos.grant(PRIVATE, "bob", Permission.ADMIN);
        assertEquals(Permission.ADMIN, of(BOB, PRIVATE));
        repos.grant(PRIVATE, "bob", Permission.NONE);
        assertEquals(Permission.NONE, of(BOB, PRIVATE));
        assertEquals(Permission.NONE, of(Caller.user("carol"), PRIVATE));
    }

    @Test
    void grantOfNoneOnPublicLeavesRead() throws Exception {
        repos.grant(PUBLIC, "bob", Permission.WRITE);
        assertEquals(Permission.WRITE, of(BOB, PUBLIC));
        repos.grant(PUBLIC, "bob", Permission.NONE);
        assertEquals(Permission.READ, of(BOB, PUBLIC));
    }

    @Test
    void grantToMissingUserIsRefused() {
        AdminException e = assertThrows(AdminException.class, () -> repos.grant(PRIVATE, "zed", Permission.READ));
        assertEquals("no such user 'zed'; add it with: thetahost user add zed", e.getMessage());
    }

    @Test
    void grantToTheOwnerIsRefused() {
        AdminException e = assertThrows(AdminException.class,
                () -> repos.grant(PRIVATE, "alice", Permission.READ));
        assertEquals("alice owns alice/private and always holds admin on it", e.getMessage());
        assertEquals(Permission.ADMIN, of(ALICE, PRIVATE));
    }

    @Test
    void grantOnMissingRepositoryIsRefused() {
        AdminException e = assertThrows(AdminException.class,
                () -> repos.grant(RepositoryName.parse("alice/nope"), "bob", Permission.READ));
        assertEquals("no repository alice/nope", e.getMessage());
    }

    @Test
    void handEditedGrantThatDoesNotParseGrantsNothing() throws Exception {
        Path config = data.repositories().resolve("alice/private.git/config");
        Files.writeString(config, "[thetahost-access \"bob\"]\n\tpermission = owner\n",
                StandardOpenOption.APPEND);
        assertEquals(Permission.NONE, of(BOB, PRIVATE));
        assertEquals(Map.of(), repos.list().get(0).grants());
    }

    @Test
    void createRefusesAnExistingName() {
        AdminException e = assertThrows(AdminException.class, () -> repos.create(PRIVATE, true));
        assertEquals("repository alice/private already exists", e.getMessage());
        assertEquals(Permission.NONE, of(BOB, PRIVATE));
    }

    @Test
    void listShowsEveryRepositorySortedWithVisibilityAndGrants() throws Exception {
        repos.create(RepositoryName.parse("bob/a"), true);
        repos.grant(PRIVATE, "carol", Permission.WRITE);
        repos.grant(PRIVATE, "bob", Permission.READ);
        List<Listing> listed = repos.list();
        assertEquals(List.of(
                new Listing(PRIVATE, false, Map.of("bob", Permission.READ, "carol", Permission.WRITE)),
                new Listing(PUBLIC, true, Map.of()),
                new Listing(RepositoryName.parse("bob/a"), true, Map.of())), listed);
        assertEquals(List.of("bob", "carol"), List.copyOf(listed.get(0).grants().keySet()));
    }

    @Test
    void ownerDirectoryLinkedOutsideIsRefusedAndGivesNoAccess() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Git.init().setBare(true).setDirectory(outside.resolve("t5.git").toFile()).call().close();
        Files.writeString(outside.resolve("t5.git/config"), "[thetahost]\n\tpublic = true\n",
                StandardOpenOption.APPEND);
        Files.createSymbolicLink(data.repositories().resolve("evil"), outside);

        RepositoryName linked = RepositoryName.parse("evil/t5");
        assertEquals(Permission.NONE, of(Caller.anonymous(), linked));
        assertEquals(Permission.NONE, of(Caller.user("evil"), linked));
        assertThrows(RepositoryNotFoundException.class, () -> repos.open(linked));

        AdminException e = assertThrows(AdminException.class,
                () -> repos.create(RepositoryName.parse("evil/new"), true));
        Path root = data.repositories().toRealPath();
        assertEquals("refusing to create evil/new: " + root.resolve("evil") + " is not a plain directory inside "
                + root, e.getMessage());
        assertFalse(Files.exists(outside.resolve("new.git")));
        assertEquals(List.of(PRIVATE, PUBLIC), repos.list().stream().map(Listing::name).toList());
    }

    @Test
    void repositoryLinkedOutsideGivesNoAccessAndIsNotListed() throws Exception {
        Path outside = tmp.resolve("elsewhere.git");
        Git.init().setBare(true).setDirectory(outside.toFile()).call().close();
        Files.writeString(outside.resolve("config"), "[thetahost]\n\tpublic = true\n",
                StandardOpenOption.APPEND);
        Files.createSymbolicLink(data.repositories().resolve("alice/linked.git"), outside);

        RepositoryName linked = RepositoryName.parse("alice/linked");
        assertEquals(Permission.NONE, of(ALICE, linked));
        assertEquals(Permission.NONE, of(Caller.anonymous(), linked));
        assertEquals("repository alice/linked already exists",
                assertThrows(AdminException.class, () -> repos.create(linked, false)).getMessage());
        assertEquals("no repository alice/linked",
                assertThrows(AdminException.class, () -> repos.grant(linked, "bob", Permission.READ)).getMessage());
        assertEquals(List.of(PRIVATE, PUBLIC), repos.list().stream().map(Listing::name).toList());
    }

    @Test
    void dataDirectoryThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> DataDirectory.open(file));
        assertEquals(file.toAbsolutePath().normalize() + " is not a directory", e.getMessage());
    }
}
