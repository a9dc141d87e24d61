using ParallelSim.Readers;

namespace ParallelSim.Tests.Core;

public class MegatronArgsTests
{
    [Fact]
    public void A_script_joins_continuations_drops_comments_and_expands_its_variables()
    {
        var words = MegatronArgs.Words("# launch\nTP=8\nexport PP=\"4\"\ntorchrun --nproc_per_node 8 \\\n  pretrain_gpt.py --tensor-model-parallel-size $TP \\\n  --pipeline-model-parallel-size=${PP} # four stages\n");
        Assert.Equal(["torchrun", "--nproc_per_node", "8", "pretrain_gpt.py", "--tensor-model-parallel-size", "8", "--pipeline-model-parallel-size=4"], words);
    }

    [Fact]
    public void Tokens_split_values_and_normalise_underscores()
    {
        var t = MegatronArgs.Tokens(["--nproc_per_node", "8", "--bf16", "--seq-length=2048", "--sequence-parallel", "--unknown-flag", "x"], MegatronFlags.TakesValue);
        Assert.Equal(new LaunchToken("--nproc-per-node", "8", true), t[0]);
        Assert.Equal(new LaunchToken("--bf16", null, true), t[1]);
        Assert.Equal(new LaunchToken("--seq-length", "2048", true), t[2]);
        Assert.Equal(new LaunchToken("--sequence-parallel", null, true), t[3]);
        Assert.Equal(new LaunchToken("--unknown-flag", "x", true), t[4]);
    }
}
