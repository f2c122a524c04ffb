using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Tests.Retrieval;

public sealed class TopKKernelTests
{
    /// <summary>Scores of L2-normalised vectors are in [-1, 1]; float sums of ≤ 300 products stay far inside this.</summary>
    private const double Tolerance = 1e-5;

    /// <summary>Path names: <see cref="TopKPath"/> is internal, theory parameters of a public class cannot be.</summary>
    public static TheoryData<string> Paths =>
        [nameof(TopKPath.Auto), nameof(TopKPath.Blocked), nameof(TopKPath.BlockedVector256), nameof(TopKPath.Sparse), nameof(TopKPath.SparseVector256), nameof(TopKPath.Direct), nameof(TopKPath.Portable)];

    /// <summary>Left and right counts around the tile sizes (6 left, 16 right for Blocked; 2 × 4 for Direct), every dimension and k asked for.</summary>
    private static IEnumerable<(int Left, int Right, int Dimensions, int K)> Shapes()
    {
        int[] lefts = [1, 2, 3, 5, 6, 7, 13, 37];
        int[] rights = [1, 3, 5, 15, 16, 17, 40, 100];
        int[] dimensions = [1, 7, 8, 64, 256, 300];
        int[] ks = [1, 5, 13, 50];
        int n = 0;
        foreach (int l in lefts)
        {
            foreach (int r in rights)
            {
                foreach (int d in dimensions)
                {
                    yield return (l, r, d, ks[n++ % ks.Length]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_shape_matches_the_scalar_reference(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        int seed = 1;
        foreach (var (l, r, d, k) in Shapes())
        {
            float[] left = RandomUnitRows(l, d, seed++);
            float[] right = RandomUnitRows(r, d, seed++);
            var (indices, scores) = Run(left, l, right, r, d, k, path);
            AssertMatchesReference(left, l, right, r, d, k, indices, scores, $"{path} {l}×{r}×{d} k={k}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_large_shape_matches_the_scalar_reference(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        const int l = 97, r = 1203, d = 64, k = 13;
        float[] left = RandomUnitRows(l, d, 11);
        float[] right = RandomUnitRows(r, d, 12);
        var (indices, scores) = Run(left, l, right, r, d, k, path, maxDegreeOfParallelism: 2);
        AssertMatchesReference(left, l, right, r, d, k, indices, scores, $"{path} {l}×{r}×{d} k={k}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Fewer_right_rows_than_k_leave_the_last_slots_minus_one_and_negative_infinity(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        const int l = 9, r = 3, d = 20, k = 5;
        float[] left = RandomUnitRows(l, d, 3);
        float[] right = RandomUnitRows(r, d, 4);
        var (indices, scores) = Run(left, l, right, r, d, k, path);
        for (int i = 0; i < l; i++)
        {
            Assert.Equal([0, 1, 2], indices.Skip(i * k).Take(r).Order());
            Assert.Equal([-1, -1], indices.Skip((i * k) + r).Take(k - r));
            Assert.Equal([float.NegativeInfinity, float.NegativeInfinity], scores.Skip((i * k) + r).Take(k - r));
            Assert.All(scores.Skip(i * k).Take(r), s => Assert.True(float.IsFinite(s)));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_k_far_above_the_right_count_returns_every_right_row_then_empty_slots(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        const int l = 13, r = 21, d = 16, k = 100_000;
        float[] left = RandomUnitRows(l, d, 14);
        float[] right = RandomUnitRows(r, d, 15);
        var (indices, scores) = Run(left, l, right, r, d, k, path);
        for (int i = 0; i < l; i++)
        {
            Assert.Equal(Enumerable.Range(0, r), indices.Skip(i * k).Take(r).Order());
            Assert.All(indices.Skip((i * k) + r).Take(k - r), j => Assert.Equal(-1, j));
            Assert.All(scores.Skip((i * k) + r).Take(k - r), s => Assert.Equal(float.NegativeInfinity, s));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void No_right_rows_fill_every_slot_with_minus_one_and_negative_infinity(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        var (indices, scores) = Run(RandomUnitRows(4, 8, 5), 4, [], 0, 8, 3, path);

        Assert.All(indices, i => Assert.Equal(-1, i));
        Assert.All(scores, s => Assert.Equal(float.NegativeInfinity, s));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Duplicated_right_vectors_tie_and_the_lower_index_wins(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        // Copies of left row 0 at right rows 37, 5 and 21 (across 16-row panels and 4-row tiles) are its
        // best matches; copies of right row 2 at 30 and 9 tie with it for every left row.
        const int l = 8, r = 40, d = 24, k = 6;
        float[] left = RandomUnitRows(l, d, 6);
        float[] right = RandomUnitRows(r, d, 7);
        foreach (int copy in new[] { 37, 5, 21 })
        {
            Array.Copy(left, 0, right, copy * d, d);
        }

        foreach (int copy in new[] { 30, 9 })
        {
            Array.Copy(right, 2 * d, right, copy * d, d);
        }

        var (indices, scores) = Run(left, l, right, r, d, k, path);

        Assert.Equal([5, 21, 37], indices.Take(3));
        Assert.Equal(scores[0], scores[1]);
        Assert.Equal(scores[0], scores[2]);
        for (int i = 0; i < l; i++)
        {
            int[] row = indices.Skip(i * k).Take(k).ToArray();
            int[] twins = row.Where(j => j is 2 or 9 or 30).ToArray();
            int[] expected = new[] { 2, 9, 30 }.Take(twins.Length).ToArray();
            Assert.Equal(expected, twins);
            if (twins.Length > 0)
            {
                // Equal scores sit next to each other, in index order.
                int first = Array.IndexOf(row, 2);
                Assert.Equal(expected, row.Skip(first).Take(twins.Length));
            }
        }

        AssertMatchesReference(left, l, right, r, d, k, indices, scores, $"{path} duplicates");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_search_in_slices_merged_gives_the_bits_of_one_search(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        // Ties across slices: copies of left row 0 and of right row 2 sit in later slices, so the merge must keep
        // the lower index ahead; slices of 1, 3 (fewer rows than k) and 16 rows, and one the size of the whole.
        const int l = 13, r = 100, d = 24, k = 5;
        float[] left = RandomUnitRows(l, d, 10);
        float[] right = RandomUnitRows(r, d, 11);
        foreach (int copy in new[] { 90, 7, 41 })
        {
            Array.Copy(left, 0, right, copy * d, d);
        }

        foreach (int copy in new[] { 60, 33 })
        {
            Array.Copy(right, 2 * d, right, copy * d, d);
        }

        var (wholeIndices, wholeScores) = Run(left, l, right, r, d, k, path);
        foreach (int sliceRows in new[] { 1, 3, 16, 37, r })
        {
            int[] indices = new int[l * k];
            float[] scores = new float[l * k];
            int[] sliceIndices = new int[l * k];
            float[] sliceScores = new float[l * k];
            for (int start = 0; start < r; start += sliceRows)
            {
                int count = Math.Min(sliceRows, r - start);
                TopKKernel.Search(left, l, right.AsSpan(start * d, count * d), count, d, k, start == 0 ? indices : sliceIndices, start == 0 ? scores : sliceScores, 1, path);
                if (start > 0)
                {
                    TopKKernel.Merge(indices, scores, sliceIndices, sliceScores, start, l, k);
                }
            }

            Assert.Equal(wholeIndices, indices);
            Assert.Equal(wholeScores, scores);
        }

        Assert.Equal([7, 41, 90], wholeIndices.Take(3));
    }

    [Fact]
    public void A_merge_with_empty_slots_keeps_them_last()
    {
        // Two right rows in the first slice, one in the second, k = 4: the last slot stays empty.
        int[] indices = [1, 0, -1, -1];
        float[] scores = [0.9f, 0.5f, float.NegativeInfinity, float.NegativeInfinity];
        int[] slice = [0, -1, -1, -1];
        float[] sliceScores = [0.5f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity];

        TopKKernel.Merge(indices, scores, slice, sliceScores, 2, 1, 4);

        Assert.Equal([1, 0, 2, -1], indices);
        Assert.Equal([0.9f, 0.5f, 0.5f, float.NegativeInfinity], scores);
    }

    [Fact]
    public void Parallel_and_serial_results_are_identical_bit_for_bit()
    {
        // Above the parallel threshold, with left rows that are no multiple of the 6-row tile.
        const int l = 301, r = 517, d = 40, k = 7;
        Assert.True((long)l * r * d >= TopKKernel.ParallelMinWork);
        float[] left = RandomUnitRows(l, d, 8);
        float[] right = RandomUnitRows(r, d, 9);

        var (serialIndices, serialScores) = Run(left, l, right, r, d, k, TopKPath.Auto, maxDegreeOfParallelism: 1);
        foreach (int cores in new[] { 2, 3, 8, -1 })
        {
            var (indices, scores) = Run(left, l, right, r, d, k, TopKPath.Auto, cores);
            Assert.Equal(serialIndices, indices);
            Assert.Equal(serialScores, scores);
        }

        AssertMatchesReference(left, l, right, r, d, k, serialIndices, serialScores, "parallel");
    }

    [Fact]
    public void Vector512_and_Vector256_tiles_give_the_same_bits()
    {
        if (!Runs(TopKPath.Blocked))
        {
            return;
        }

        // Odd and even panel counts (the wide kernel takes panels in pairs, the last odd one alone), in one
        // L2 chunk and across several, serial and parallel.
        (int L, int R, int D, int K, int Cores)[] shapes = [(7, 17, 9, 3, 1), (13, 48, 64, 5, 1), (40, 1111, 300, 13, 1), (301, 517, 40, 7, 2)];
        int seed = 20;
        foreach (var (l, r, d, k, cores) in shapes)
        {
            float[] left = RandomUnitRows(l, d, seed++);
            float[] right = RandomUnitRows(r, d, seed++);
            var wide = Run(left, l, right, r, d, k, TopKPath.Blocked, cores);
            var narrow = Run(left, l, right, r, d, k, TopKPath.BlockedVector256, cores);
            Assert.Equal(narrow.Indices, wide.Indices);
            Assert.Equal(narrow.Scores, wide.Scores);
        }
    }

    [Fact]
    public void Sparse_rows_give_the_bits_of_the_blocked_tiles()
    {
        if (!Runs(TopKPath.Blocked))
        {
            return;
        }

        // Row groups of 4 and panel pairs that do not divide the counts, an all-zero row, a row with -0 values,
        // duplicated right rows (ties), dimensions that are no multiple of 16, serial and parallel.
        (int L, int R, int D, int K, int Cores)[] shapes = [(9, 17, 9, 3, 1), (13, 48, 64, 5, 1), (41, 1111, 300, 13, 1), (301, 517, 40, 7, 2), (37, 2050, 256, 5, 2)];
        int seed = 40;
        foreach (var (l, r, d, k, cores) in shapes)
        {
            float[] left = SparseUnitRows(l, d, seed++);
            float[] right = SparseUnitRows(r, d, seed++);
            left.AsSpan(0, d).Clear();
            for (int j = 0; j < d; j += 3)
            {
                left[d + j] = left[d + j] == 0 ? -0f : left[d + j];
            }

            right.AsSpan(0, d).CopyTo(right.AsSpan(d * (r / 2), d));
            // Auto takes the sparse path wherever a row has room for zeros (not at 9 dimensions).
            Assert.Equal(d > 9, TopKKernel.IsSparse(left, l, d));
            var blocked = Run(left, l, right, r, d, k, TopKPath.Blocked, cores);
            foreach (var path in new[] { TopKPath.Sparse, TopKPath.SparseVector256, TopKPath.Auto })
            {
                var sparse = Run(left, l, right, r, d, k, path, cores);
                Assert.Equal(blocked.Indices, sparse.Indices);
                Assert.Equal(blocked.Scores, sparse.Scores);
            }

            AssertMatchesReference(left, l, right, r, d, k, blocked.Indices, blocked.Scores, $"sparse {l}×{r}×{d} k={k}");
        }
    }

    [Fact]
    public void Panels_packed_by_the_caller_give_the_bits_of_a_search_on_the_rows()
    {
        if (!Runs(TopKPath.Blocked))
        {
            return;
        }

        // Sparse left rows (the sparse path) and dense ones (the blocked tiles), right counts that leave the last panel
        // short, right rows with -0 values and duplicates, serial and parallel; panels filled with garbage first, as a
        // reused buffer would be, then packed by hand from the rows' layout.
        (int L, int R, int D, int K, int Cores, bool Sparse)[] shapes = [(9, 17, 64, 3, 1, true), (41, 1111, 256, 13, 2, true), (13, 48, 300, 5, 1, false), (37, 205, 64, 5, 2, false)];
        int seed = 70;
        foreach (var (l, r, d, k, cores, sparse) in shapes)
        {
            float[] left = sparse ? SparseUnitRows(l, d, seed++) : RandomUnitRows(l, d, seed++);
            float[] right = SparseUnitRows(r, d, seed++);
            right.AsSpan(0, d).CopyTo(right.AsSpan(d * (r / 2), d));
            for (int j = 1; j < d; j += 5)
            {
                right[(2 * d) + j] = right[(2 * d) + j] == 0 ? -0f : right[(2 * d) + j];
            }

            float[] panels = new float[TopKKernel.PackedLength(r, d) + 7];
            panels.AsSpan().Fill(float.NaN);
            panels.AsSpan(0, TopKKernel.PackedLength(r, d)).Clear();
            for (int row = 0; row < r; row++)
            {
                for (int dim = 0; dim < d; dim++)
                {
                    float value = right[(row * d) + dim];
                    if (BitConverter.SingleToInt32Bits(value) != 0)
                    {
                        panels[((row / TopKKernel.PanelRows) * TopKKernel.PanelRows * d) + (dim * TopKKernel.PanelRows) + (row % TopKKernel.PanelRows)] = value;
                    }
                }
            }

            Assert.True(TopKKernel.SearchesPanels(l));
            Assert.Equal(sparse, TopKKernel.IsSparse(left, l, d));
            var rows = Run(left, l, right, r, d, k, TopKPath.Auto, cores);
            int[] indices = new int[l * k];
            float[] scores = new float[l * k];
            TopKKernel.SearchPacked(left, l, panels, r, d, k, indices, scores, cores);
            Assert.Equal(rows.Indices, indices);
            Assert.Equal(rows.Scores.Select(BitConverter.SingleToInt32Bits), scores.Select(BitConverter.SingleToInt32Bits));
        }

        Assert.False(TopKKernel.SearchesPanels(TopKKernel.DirectMaxLeftRows));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKKernel.SearchPacked(new float[64], 1, new float[16 * 64], 1, 64, 1, new int[1], new float[1], 1));
    }

    [Fact]
    public void The_offline_embedders_vectors_take_the_sparse_path_to_the_same_bits()
    {
        if (!Runs(TopKPath.Blocked))
        {
            return;
        }

        var embedder = new ElectionMatch.Matching.Embeddings.HashedNgramEmbedder(256);
        string[] first = ["John", "Jon", "Maria", "Mary", "Robert", "Bob", "Ana", "Anne", "Li", "Wei"];
        string[] last = ["Smith", "Smyth", "Garcia", "Nguyen", "Lee", "O'Neill", "Müller", "Muller"];
        string[] races = ["CA Governor - General", "TX State House - District 15 - Primary", "Springfield City Council Ward 2"];
        var texts = (from f in first from s in last from race in races select $"name: {f} {s} | race: {race}").ToArray();
        const int l = 40, d = 256, k = 5;
        int r = texts.Length - l;
        float[] vectors = new float[texts.Length * d];
        for (int i = 0; i < texts.Length; i++)
        {
            embedder.Embed(texts[i], vectors.AsSpan(i * d, d));
        }

        float[] left = vectors[..(l * d)];
        float[] right = vectors[(l * d)..];
        Assert.True(TopKKernel.IsSparse(left, l, d));
        var blocked = Run(left, l, right, r, d, k, TopKPath.Blocked);
        var auto = Run(left, l, right, r, d, k, TopKPath.Auto);
        Assert.Equal(blocked.Indices, auto.Indices);
        Assert.Equal(blocked.Scores, auto.Scores);
        AssertMatchesReference(left, l, right, r, d, k, auto.Indices, auto.Scores, "embedded");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Repeated_calls_return_the_same_bits(string pathName)
    {
        var path = Enum.Parse<TopKPath>(pathName);
        if (!Runs(path))
        {
            return;
        }

        const int l = 25, r = 90, d = 33, k = 5;
        float[] left = RandomUnitRows(l, d, 10);
        float[] right = RandomUnitRows(r, d, 11);

        var first = Run(left, l, right, r, d, k, path);
        var second = Run(left, l, right, r, d, k, path);

        Assert.Equal(first.Indices, second.Indices);
        Assert.Equal(first.Scores, second.Scores);
    }

    [Fact]
    public void Spans_longer_than_needed_are_used_only_up_to_their_counts()
    {
        const int l = 3, r = 20, d = 16, k = 4;
        float[] left = RandomUnitRows(l + 2, d, 12);
        float[] right = RandomUnitRows(r + 5, d, 13);
        var indices = new int[(l * k) + 3];
        var scores = new float[(l * k) + 3];
        indices.AsSpan(l * k).Fill(77);

        TopKKernel.Search(left, l, right, r, d, k, indices, scores);

        Assert.All(indices.Take(l * k), j => Assert.InRange(j, 0, r - 1));
        Assert.Equal([77, 77, 77], indices.Skip(l * k));
    }

    [Fact]
    public void Wrong_arguments_are_refused()
    {
        float[] rows = new float[12];
        int[] indices = new int[6];
        float[] scores = new float[6];

        Assert.Throws<ArgumentOutOfRangeException>(() => TopKKernel.Search(rows, 2, rows, 2, 0, 3, indices, scores));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKKernel.Search(rows, 2, rows, 2, 6, 0, indices, scores));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKKernel.Search(rows, -1, rows, 2, 6, 3, indices, scores));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKKernel.Search(rows, 2, rows, 2, 6, 3, indices, scores, 0));
        Assert.Throws<ArgumentException>(() => TopKKernel.Search(rows, 3, rows, 2, 6, 2, indices, scores));
        Assert.Throws<ArgumentException>(() => TopKKernel.Search(rows, 2, rows, 2, 6, 4, indices, scores));
    }

    private static bool Runs(TopKPath path) =>
        path is TopKPath.Auto or TopKPath.Portable || TopKKernel.ChoosePath(100) != TopKPath.Portable;

    private static (int[] Indices, float[] Scores) Run(
        float[] left, int leftCount, float[] right, int rightCount, int dimensions, int k, TopKPath path, int maxDegreeOfParallelism = 1)
    {
        // Start from garbage: every slot must be written.
        var indices = Enumerable.Repeat(12345, leftCount * k).ToArray();
        var scores = Enumerable.Repeat(42f, leftCount * k).ToArray();
        TopKKernel.Search(left, leftCount, right, rightCount, dimensions, k, indices, scores, maxDegreeOfParallelism, path);
        return (indices, scores);
    }

    /// <summary>
    /// Same indices as the reference, rank by rank, except where two different right rows have exact
    /// scores closer than the tolerance (float sums may order those either way); exact ties must follow
    /// the lower index. Every reported score is the pair's inner product, best first.
    /// </summary>
    private static void AssertMatchesReference(
        float[] left, int leftCount, float[] right, int rightCount, int dimensions, int k, int[] indices, float[] scores, string shape)
    {
        var expected = TopKReference.Search(left, leftCount, right, rightCount, dimensions, k);
        for (int i = 0; i < leftCount; i++)
        {
            var seen = new HashSet<int>();
            for (int rank = 0; rank < k; rank++)
            {
                int at = (i * k) + rank;
                string where = $"{shape}: left {i} rank {rank}";
                int j = indices[at];
                if (rank >= rightCount)
                {
                    Check(j == -1 && scores[at] == float.NegativeInfinity, $"{where}: expected an empty slot, got {j} {scores[at]}");
                    continue;
                }

                Check(j >= 0 && j < rightCount && seen.Add(j), $"{where}: index {j} out of range or repeated");
                double exact = TopKReference.Dot(left, i, right, j, dimensions);
                Check(Math.Abs(scores[at] - exact) <= Tolerance, $"{where}: score {scores[at]} of right {j} is not its inner product {exact}");
                if (j != expected.Indices[at])
                {
                    double gap = Math.Abs(exact - expected.Scores[at]);
                    Check(gap > 0 && gap <= Tolerance, $"{where}: right {j} ({exact}) where the reference has {expected.Indices[at]} ({expected.Scores[at]})");
                }

                if (rank > 0)
                {
                    Check(
                        scores[at] < scores[at - 1] || (scores[at] == scores[at - 1] && j > indices[at - 1]),
                        $"{where}: not best first, ties by lower index");
                }
            }
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            Assert.Fail(message);
        }
    }

    /// <summary>Unit rows with about one dimension in six non-zero (at least one), as hashed n-gram vectors are.</summary>
    private static float[] SparseUnitRows(int rows, int dimensions, int seed)
    {
        var random = new Random(seed);
        float[] values = RandomUnitRows(rows, dimensions, seed);
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = values.AsSpan(i * dimensions, dimensions);
            int kept = random.Next(dimensions);
            double norm = 0;
            for (int d = 0; d < dimensions; d++)
            {
                row[d] = d == kept || random.Next(6) == 0 ? row[d] : 0;
                norm += row[d] * row[d];
            }

            float scale = (float)(1 / Math.Sqrt(norm));
            for (int d = 0; d < dimensions; d++)
            {
                row[d] *= scale;
            }
        }

        return values;
    }

    private static float[] RandomUnitRows(int rows, int dimensions, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * dimensions];
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = values.AsSpan(i * dimensions, dimensions);
            double norm = 0;
            for (int d = 0; d < dimensions; d++)
            {
                row[d] = (random.NextSingle() * 2) - 1;
                norm += row[d] * row[d];
            }

            float scale = (float)(1 / Math.Sqrt(norm));
            for (int d = 0; d < dimensions; d++)
            {
                row[d] *= scale;
            }
        }

        return values;
    }
}
