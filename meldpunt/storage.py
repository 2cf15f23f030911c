"""Static files storage for production (STATIC_HASHED=on)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed files, cached for a year.

    The references inside CSS files are rewritten to the hashed names as usual; JavaScript
    files are left as they are: the only references in ours are the `sourceMappingURL`
    comments of vendored, minified libraries whose maps we do not ship (collectstatic would
    fail on the missing file, and browsers only ask for maps with the developer tools open).
    """

    patterns = tuple(
        (glob, rules)
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
        if glob != "*.js"
    )
