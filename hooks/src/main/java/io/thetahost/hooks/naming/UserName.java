package io.thetahost.hooks.naming;

/** Validates user names: one segment under the same rules as an owner. */
public final class UserName {
    private UserName() {
    }

    /**
     * Returns the name unchanged if it is valid.
     *
     * @throws InvalidNameException naming the rule that was broken
     */
    public static String check(String name) {
        NameRules.checkCharacters("user", name);
        NameRules.checkSegment("user", name, name);
        return name;
    }

    public static boolean isValid(String name) {
        try {
            check(name);
            return true;
        } catch (InvalidNameException e) {
            return false;
        }
    }
}
