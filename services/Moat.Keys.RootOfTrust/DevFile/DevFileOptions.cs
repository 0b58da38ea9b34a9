namespace Moat.Keys.RootOfTrust.DevFile;

/// <summary>Settings of the <c>dev-file</c> provider. Section <c>Moat:RootOfTrust:DevFile</c>.</summary>
public sealed class DevFileOptions
{
    public const string Section = "Moat:RootOfTrust:DevFile";

    /// <summary>Directory of the root key files (<c>{id}.key</c>, 32 bytes, mode 0600); created mode 0700.</summary>
    public string Directory { get; set; } = string.Empty;

    public override string ToString() => $"Directory={Directory}";
}
