namespace Moat.Keys.RootOfTrust.Pkcs11;

/// <summary>Settings of the <c>pkcs11</c> provider. Section <c>Moat:RootOfTrust:Pkcs11</c>.</summary>
/// <remarks>
/// The user PIN is never a setting: it is read from <see cref="PinFile"/> or from the environment
/// variable named by <see cref="PinEnvironmentVariable"/> (exactly one of them), and is never logged or printed.
/// </remarks>
public sealed class Pkcs11Options
{
    public const string Section = "Moat:RootOfTrust:Pkcs11";

    /// <summary>The vendor's PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string LibraryPath { get; set; } = string.Empty;

    /// <summary>Label of the token holding Moat's keys; the slot is found by this label, never by index.</summary>
    public string TokenLabel { get; set; } = string.Empty;

    /// <summary>A file holding the user PIN (trailing newline ignored). Keep it mode 0600.</summary>
    public string? PinFile { get; set; }

    /// <summary>Name of an environment variable holding the user PIN.</summary>
    public string? PinEnvironmentVariable { get; set; }

    /// <summary>Prefix of the CKA_LABEL of every key Moat creates on the token (a root key id <c>root</c> is labelled <c>moat-root</c>).</summary>
    public string KeyLabelPrefix { get; set; } = "moat-";

    /// <summary>Most PKCS#11 sessions open at once; callers beyond it wait for a free session.</summary>
    public int MaxSessions { get; set; } = 8;

    /// <summary>Names the PIN's source, never the PIN.</summary>
    public override string ToString() =>
        $"LibraryPath={LibraryPath}, TokenLabel={TokenLabel}, Pin={PinSourceDescription}, KeyLabelPrefix={KeyLabelPrefix}, MaxSessions={MaxSessions}";

    internal string PinSourceDescription =>
        PinFile is { Length: > 0 } ? $"***(file {PinFile})" : PinEnvironmentVariable is { Length: > 0 } ? $"***(env {PinEnvironmentVariable})" : "(not set)";
}
