using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests.Providers;

public sealed class SecretsTests
{
    [Fact]
    public void A_registered_value_is_masked_wherever_it_appears()
    {
        Secrets.Register("registered-value-Zq81xLm");
        Assert.Equal("url?x=*** and ***", Secrets.Redact("url?x=registered-value-Zq81xLm and registered-value-Zq81xLm"));
    }

    [Fact]
    public void A_registered_pem_key_is_masked_whole_as_escaped_json_and_line_by_line()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        Secrets.Register(pem);
        var line = pem.Split('\n')[3];
        var escaped = pem.Replace("\n", "\\n", StringComparison.Ordinal);

        Assert.DoesNotContain(line, Secrets.Redact("key: " + pem), StringComparison.Ordinal);
        Assert.DoesNotContain(line, Secrets.Redact("{\"private_key\": \"" + escaped + "\"}"), StringComparison.Ordinal);
        Assert.Equal("fragment *** seen", Secrets.Redact("fragment " + line + " seen"));
    }

    [Fact]
    public void A_providers_error_words_are_masked_before_they_are_shortened()
    {
        // The key straddles the 300th character: cut first, neither part would be found, and its first part printed.
        const string key = "straddling-key-Qw3rty9-0123456789";
        Secrets.Register(key);
        var body = $$$"""{"error": {"message": "{{{new string('x', 290)}}} {{{key}}} was refused"}}""";

        var words = ElectionMatch.Matching.Providers.ProviderFailure.Words(body)!;

        Assert.DoesNotContain("straddling", words, StringComparison.Ordinal);
        Assert.StartsWith(new string('x', 290) + " *** was", words, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Authorization: Bearer abcdefghijklmnop.qrs", "Authorization: Bearer ***")]
    [InlineData("key sk-proj-ABCDEFGHIJKLMNOPQRSTuvwx used", "key *** used")]
    [InlineData("key sk-none-Ab+cd/efgh12345678XYZ== used", "key *** used")]
    [InlineData("token ya29.a0AfB_byC1234567890abcdef here", "token *** here")]
    [InlineData("stripe sk_live_51HqLyjWDarjtT1zdp7dc used", "stripe *** used")]
    [InlineData("gh ghp_16C7e42F292c6912E7710c838347Ae178B4a here", "gh *** here")]
    [InlineData("api_key: hunter2hunter2", "api_key: ***")]
    [InlineData("body: assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqdWRnZUBwcm9qIn0.c2lnbmF0dXJlLWJ5dGVz&grant_type=x", "body: assertion=***&grant_type=x")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----", "***")]
    public void Credential_shapes_are_masked_even_when_never_registered(string text, string expected) =>
        Assert.Equal(expected, Secrets.Redact(text));

    [Fact]
    public void A_token_of_a_known_shape_holding_a_fragment_of_a_registered_secret_is_masked_whole()
    {
        // The registered token's fragments 12345678 and 23456789 lie inside the unregistered one. Masked first, they cut
        // the shape short of its 16 characters, and the unregistered token was printed around the mask: in a test run,
        // whenever a Vertex AI test had registered its planted token first.
        Secrets.Register("ya29.PLANTED-ACCESS-TOKEN-0123456789abcdef");
        Secrets.RegisterApiKey("sk-fake-Ab+cd/efgh12345678XYZ==");

        Assert.Equal("token *** here", Secrets.Redact("token ya29.a0AfB_byC1234567890abcdef here"));
        Assert.Equal("key *** used", Secrets.Redact("key sk-none-Ab+cd/efgh12345678XYZ== used"));
        Assert.Equal("Authorization: Bearer ***", Secrets.Redact("Authorization: Bearer xx12345678yyzz"));
    }

    [Theory]
    // A credential's shape, a Bearer token, an assignment and a short key glued to a registered secret's last character.
    [InlineData("glued-secret-5e4d3c2b1ask-ABCDEFGHIJKLMNOPQRST used", "*** used")]
    [InlineData("glued-secret-5e4d3c2b1aBearer abcdefghXYZWvuts", "***Bearer ***")]
    [InlineData("glued-secret-5e4d3c2b1atoken=hunter2hunter2", "***token=***")]
    [InlineData("glued-secret-5e4d3c2b1aglu3d, sent", "***, sent")]
    public void A_credential_right_after_a_registered_secret_is_masked_too(string text, string expected)
    {
        // Masked one pattern after another, the secret's mask stood before the credential as a word's boundary; looked
        // for in the text as given, the credential follows a letter, and \b or the short key's lookbehind does not match.
        Secrets.Register("glued-secret-5e4d3c2b1a");
        Secrets.RegisterApiKey("glu3d");
        Assert.Equal(expected, Secrets.Redact(text));
    }

    [Fact]
    public void Ordinary_text_and_short_values_are_left_alone()
    {
        Secrets.Register("short");
        Assert.Equal("a short note about candidates", Secrets.Redact("a short note about candidates"));
        Assert.Equal("a risk-free/low-cost plan; task-based/per-seat", Secrets.Redact("a risk-free/low-cost plan; task-based/per-seat"));
    }

    [Fact]
    public void A_short_api_key_is_masked_where_no_letter_or_digit_touches_it()
    {
        Secrets.RegisterApiKey("olla7ma");
        Assert.Equal("Bearer ***, sent ***. \"***\" (***)", Secrets.Redact("Bearer olla7ma, sent olla7ma. \"olla7ma\" (olla7ma)"));
        // In JSON text: after an escaped quote or newline.
        Assert.Equal("""{"r": "\u0022***\u0022 \n***"}""", Secrets.Redact("""{"r": "\u0022olla7ma\u0022 \nolla7ma"}"""));
        Assert.Equal("olla7mas 2olla7ma xolla7ma", Secrets.Redact("olla7mas 2olla7ma xolla7ma"));
    }

    [Fact]
    public void A_long_api_key_is_masked_wherever_it_appears()
    {
        Secrets.RegisterApiKey("apikey-Zq81xLm-long");
        Assert.Equal("x*** ***y", Secrets.Redact("xapikey-Zq81xLm-long apikey-Zq81xLm-longy"));
    }

    [Theory]
    // OpenAI's and Azure's 401: the key's first characters and stars.
    [InlineData("Incorrect API key provided: fa1e0f1e2d3c4b5a69788796a5b4****", "Incorrect API key provided: *******")]
    // Stars and the key's last characters.
    [InlineData("key ****2d3c4b5a69788796a5b4c3d2 was revoked", "key ******* was revoked")]
    public void A_long_fragment_at_the_start_or_end_of_a_key_is_masked(string text, string expected)
    {
        Secrets.RegisterApiKey("fa1e0f1e2d3c4b5a69788796a5b4c3d2");
        Assert.Equal(expected, Secrets.Redact(text));
    }

    [Fact]
    public void A_fragment_of_a_key_with_plus_slash_and_padding_is_masked_past_the_plus()
    {
        Secrets.RegisterApiKey("sk-fake-Ab+cd/efgh12345678XYZ==");
        Assert.Equal("HTTP 401: Incorrect API key provided: *******.", Secrets.Redact("HTTP 401: Incorrect API key provided: sk-fake-Ab+cd/efgh12345678X****."));
        Assert.Equal("revoked: *******", Secrets.Redact("revoked: ****+cd/efgh12345678XYZ=="));
    }

    [Theory]
    // The middle 28 of 36 characters, as a provider quoting the key between its first and last 4 does.
    [InlineData("Incorrect API key provided: mid-a1b2c3d4e5f6g7h8i9j0k1l2m3; check it", "Incorrect API key provided: ***; check it")]
    // Any 8 characters of it, wherever they stand, and a letters-only part of two thirds of the key.
    [InlineData("x d4e5f6g7 y", "x *** y")]
    [InlineData("ends 0k1l2m3n4o5p", "ends ***")]
    // Fewer than 8 characters, or 8 letters alone that are less than two thirds of it, stay.
    [InlineData("d4e5f6g and 0k1l2", "d4e5f6g and 0k1l2")]
    public void Any_fragment_of_eight_characters_or_more_of_a_key_is_masked_in_its_middle_too(string text, string expected)
    {
        Secrets.RegisterApiKey("sk-mid-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p");
        Secrets.RegisterApiKey("ZZwordsonlyZZmiddleZZ4");
        Assert.Equal(expected, Secrets.Redact(text));
        Assert.Equal("a wordsonlyZZ b", Secrets.Redact("a wordsonlyZZ b"));
        Assert.Equal("a *** b", Secrets.Redact("a ZZwordsonlyZZmiddle b"));
    }

    [Theory]
    [InlineData("GET /v1/models?key=gsk_fake%2Bcd%2Fefgh12345678XYZ&alt=json", "GET /v1/models?key=***&alt=json")]
    [InlineData("GET /v1/models?key=gsk_fake%2bcd%2fefgh12345678XYZ&alt=json", "GET /v1/models?key=***&alt=json")]
    [InlineData("invalid key gsk_fake%2Bcd%2Fefgh1234****", "invalid key *******")]
    [InlineData("POST pw=fake+pass+phrase+4711+Qz&x=1", "POST pw=***&x=1")]
    public void A_percent_encoded_key_and_its_fragments_are_masked(string text, string expected)
    {
        Secrets.RegisterApiKey("gsk_fake+cd/efgh12345678XYZ");
        Secrets.Register("fake pass phrase 4711 Qz");
        Assert.Equal(expected, Secrets.Redact(text));
    }

    [Fact]
    public void A_fragment_under_eight_characters_of_letters_alone_or_of_a_short_secret_is_not_masked()
    {
        Secrets.RegisterApiKey("0ddba11c0ffee5eed5a1ad4b");
        Secrets.RegisterApiKey("k3y-9Qx7Lm2");
        Secrets.Register("electionsecretword-77");

        // 8 characters are masked, 7 and the customary last 4 are not.
        Assert.Equal("sent 0ddba11****, ****ad4b; *******", Secrets.Redact("sent 0ddba11****, ****ad4b; 0ddba11c****"));
        // A secret under 12 characters only whole.
        Assert.Equal("k3y-9Qx7Lm and ***", Secrets.Redact("k3y-9Qx7Lm and k3y-9Qx7Lm2"));
        // A secret that begins with a word: the word is not masked, most of the secret is.
        Assert.Equal("elections in Ohio, ***", Secrets.Redact("elections in Ohio, electionsecretword-7"));
    }

    [Fact]
    public void A_dbt_secret_variables_value_is_masked_whole_and_percent_encoded_but_not_by_fragments()
    {
        // Such a value is part of a path here: its fragments would be other paths of the project.
        const string secret = "/tmp/em-frag-Q7w9x2/warehouse";
        ElectionMatch.Dbt.EnvVars.Expand("{{ env_var('DBT_ENV_SECRET_EM_FRAG') }}", SourceSpan.None, "path", environment: name => name == "DBT_ENV_SECRET_EM_FRAG" ? secret : null);

        Assert.Equal("*** and /tmp/em-frag-Q7w9x2/models/a.sql", Secrets.Redact(secret + " and /tmp/em-frag-Q7w9x2/models/a.sql"));
        Assert.Equal("file?path=***", Secrets.Redact("file?path=%2Ftmp%2Fem-frag-Q7w9x2%2Fwarehouse"));
    }

    [Fact]
    public void Diagnostics_and_their_exceptions_print_masked()
    {
        Secrets.Register("diag-secret-0192837465");
        var error = DiagnosticException.At(Codes.ProviderFailed, SourceSpan.None, "failed with diag-secret-0192837465");
        Assert.DoesNotContain("diag-secret-0192837465", error.Diagnostics[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("diag-secret-0192837465", error.Message, StringComparison.Ordinal);
    }
}
