package io.github.stytchmigration.internal.jwt;

/** Where the project's API lives, resolved as the Stytch SDK resolves it. */
public final class StytchUrls {
    /** The SDK's base URL for every project not in the test environment. */
    public static final String LIVE = "https://api.stytch.com";
    /** The SDK's base URL for projects whose id starts with {@code project-test}. */
    public static final String TEST = "https://test.stytch.com";

    private StytchUrls() {
    }

    /** {@code override} when set (the emulator, a custom domain), else by project id as the SDK decides. */
    public static String apiBaseUrl(String projectId, String override) {
        if (override != null && !override.isEmpty()) {
            return override;
        }
        return projectId.startsWith("project-test") ? TEST : LIVE;
    }
}
