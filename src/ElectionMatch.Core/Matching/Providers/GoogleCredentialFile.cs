using System.Text.Json;
using ElectionMatch.Diagnostics;
using Google.Apis.Auth.OAuth2;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A Google credential JSON file Vertex AI's token comes from: <c>credentials_file</c> (a service-account key), or the
/// file application-default credentials read ($GOOGLE_APPLICATION_CREDENTIALS, else gcloud's
/// application_default_credentials.json). Its secrets are masked before anything else reads it, and what is wrong
/// with it is said here, in our words with the field, where it came from and what to do, before Google.Apis.Auth would
/// say it in its own.
/// </summary>
/// <param name="Path">The full path read.</param>
/// <param name="Source">Where the path came from, as EM0401 names it.</param>
/// <param name="Named">How a missing file or a folder is named: the setting or variable and its value.</param>
/// <param name="Advice">What to do when the file cannot be used.</param>
/// <param name="KeyOnly">Only a service-account key will do (credentials_file); else any type application-default credentials take.</param>
internal sealed record GoogleCredentialFile(string Path, string Source, string Named, string Advice, bool KeyOnly)
{
    public const string ApplicationDefaultVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    private const string KeyFile = "a service-account key is the JSON file the Google Cloud console downloads (IAM, Service accounts, Keys)";

    private const string Login = "gcloud auth application-default login";

    // What Google.Apis.Auth reads as application-default credentials, with the fields checked here: those of the two that
    // people download or log in for (the others gcloud writes for workload identity and impersonation; the library checks them).
    private static readonly Dictionary<string, string[]> Types = new(StringComparer.Ordinal)
    {
        ["service_account"] = ["client_email", "private_key"],
        ["authorized_user"] = ["client_id", "client_secret", "refresh_token"],
        ["external_account"] = [],
        ["external_account_authorized_user"] = [],
        ["impersonated_service_account"] = [],
    };

    /// <summary>credentials_file, relative to the project.</summary>
    public static GoogleCredentialFile Configured(string file, string projectDirectory)
    {
        var path = System.IO.Path.GetFullPath(file, projectDirectory);
        return new(path, "credentials_file", $"credentials_file {file}", KeyFile, KeyOnly: true);
    }

    /// <summary>
    /// The file application-default credentials come from, found as Google.Apis.Auth finds it: the variable when it is
    /// set, else gcloud's file when it exists; null when neither (the library then asks a Compute Engine metadata server).
    /// </summary>
    public static GoogleCredentialFile? ApplicationDefault()
    {
        const string Elsewhere = "or set credentials_file in electionmatch.yml to a service-account key";
        if (Environment.GetEnvironmentVariable(ApplicationDefaultVariable)?.Trim() is { Length: > 0 } variable)
        {
            var path = System.IO.Path.GetFullPath(variable);
            return new(path, $"application-default credentials from {ApplicationDefaultVariable}",
                $"{ApplicationDefaultVariable}={variable}",
                $"set {ApplicationDefaultVariable} to a service-account key's JSON file, or unset it to use {Login}'s file, {Elsewhere}", KeyOnly: false);
        }

        var gcloud = GcloudFile;
        return File.Exists(gcloud) || Directory.Exists(gcloud)
            ? new(gcloud, "application-default credentials from gcloud's file", "gcloud's application-default credentials file",
                $"run {Login} to write it again, set {ApplicationDefaultVariable} to a service-account key's JSON file, {Elsewhere}", KeyOnly: false)
            : null;
    }

    /// <summary>Where <c>gcloud auth application-default login</c> writes, as Google.Apis.Auth looks for it (%APPDATA% first, then $HOME).</summary>
    public static string GcloudFile =>
        Environment.GetEnvironmentVariable("APPDATA") is { } appData ? System.IO.Path.Combine(appData, "gcloud", "application_default_credentials.json")
        : System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "gcloud", "application_default_credentials.json");

    /// <summary>What application-default credentials say when there are none: every place looked at, and what to do.</summary>
    public static string NoneFound =>
        $"none found: {ApplicationDefaultVariable} is not set, gcloud's {GcloudFile} does not exist, and no Google Compute Engine metadata server answered; run {Login}, set {ApplicationDefaultVariable} to a service-account key's JSON file, or set credentials_file in electionmatch.yml";

    /// <summary>Checks the file, masks its secrets, and loads it.</summary>
    /// <exception cref="InvalidDataException">The file cannot be used; the message says why, without quoting it.</exception>
    public GoogleCredential Load()
    {
        var type = Check();
        try
        {
            return CredentialFactory.FromFile(Path, type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A type whose fields only the library checks: its words, masked.
            throw new InvalidDataException($"{Path} is a \"{type}\" credential Google.Apis.Auth could not read ({Secrets.Redact(e.Message)}); {Advice}", e);
        }
    }

    /// <returns>The credential's type.</returns>
    private string Check()
    {
        if (Directory.Exists(Path))
        {
            throw new InvalidDataException($"{Named} is a folder (looked at {Path}); name the credential's JSON file in it: {Advice}");
        }

        if (!File.Exists(Path))
        {
            throw new InvalidDataException($"{Named} does not exist (looked at {Path}); {Advice}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(Path));
        }
        catch (JsonException e)
        {
            // The parser's message quotes the token it stopped at, which in a damaged key file is the key: give the place only.
            throw new InvalidDataException($"{Path} is not JSON ({ProviderFailure.Where(e)}); {Advice}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{Path} cannot be read (permission denied); let the user running electionmatch read it, {Advice}");
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{Path} cannot be read ({Secrets.Redact(e.Message)}); {Advice}");
        }

        using var _ = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{Path} is JSON but not an object; {Advice}");
        }

        foreach (var name in new[] { "private_key", "private_key_id", "client_secret", "refresh_token" })
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                Secrets.Register(value.GetString());
            }
        }

        var type = Text(root, "type");
        var accepted = KeyOnly ? "\"service_account\"" : string.Join(", ", Types.Keys.Select(t => $"\"{t}\""));
        if (type is null)
        {
            throw new InvalidDataException($"{Path} has no \"type\" ({accepted}); {Advice}");
        }

        if (KeyOnly && type != "service_account")
        {
            throw new InvalidDataException($"{Path} is a credential of type \"{type}\", not a service-account key (\"type\": \"service_account\"); {Advice}, or leave credentials_file out to use application-default credentials ({Login})");
        }

        if (!Types.TryGetValue(type, out var fields))
        {
            throw new InvalidDataException($"{Path} is a credential of type \"{type}\", which application-default credentials cannot use (they take {accepted}); {Advice}");
        }

        foreach (var field in fields)
        {
            if (Text(root, field) is null)
            {
                throw new InvalidDataException($"{Path} has no {field} (a credential of type \"{type}\" needs {string.Join(", ", fields)}); {Advice}");
            }
        }

        if (type == "service_account")
        {
            try
            {
                using var rsa = System.Security.Cryptography.RSA.Create();
                rsa.ImportFromPem(Text(root, "private_key"));
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidDataException($"{Path}: its private_key is damaged (not a PEM-encoded RSA private key); download a new key for the service account: {Advice}");
            }
        }

        return type;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
