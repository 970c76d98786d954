package io.thetahost.http.git;

import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.transport.GitService;

/**
 * The three URLs of git's smart HTTP protocol under a repository, parsed from a request path such as
 * {@code /alice/t5.git/info/refs}.
 *
 * @param service for the two POST endpoints, their service; null for info/refs, whose service is a query parameter
 */
public record SmartHttpEndpoint(RepositoryName repository, Kind kind, GitService service) {

    public enum Kind { INFO_REFS, RPC }

    private static final String INFO_REFS = "/info/refs";

    /**
     * @return null when the path is not one of the smart HTTP endpoints
     * @throws io.thetahost.hooks.naming.InvalidNameException when it is, but the repository part is not a valid name
     */
    public static SmartHttpEndpoint parse(String path) {
        if (path.endsWith(INFO_REFS)) {
            return new SmartHttpEndpoint(repositoryBefore(path, INFO_REFS), Kind.INFO_REFS, null);
        }
        for (GitService s : GitService.values()) {
            String suffix = "/" + s.serviceName();
            if (path.endsWith(suffix)) {
                return new SmartHttpEndpoint(repositoryBefore(path, suffix), Kind.RPC, s);
            }
        }
        return null;
    }

    private static RepositoryName repositoryBefore(String path, String suffix) {
        return RepositoryName.fromRequestPath(path.substring(0, path.length() - suffix.length()));
    }

    public static String advertisementType(GitService service) {
        return "application/x-" + service.serviceName() + "-advertisement";
    }

    public static String requestType(GitService service) {
        return "application/x-" + service.serviceName() + "-request";
    }

    public static String resultType(GitService service) {
        return "application/x-" + service.serviceName() + "-result";
    }
}
