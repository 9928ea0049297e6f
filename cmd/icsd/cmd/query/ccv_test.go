package query

import (
	"bytes"
	"strings"
	"testing"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/types/coin"
)

func TestPrintConsumerRewards(t *testing.T) {
	var buf bytes.Buffer
	printConsumerRewards(&buf, interchain.ConsumerRewardsJSON{ConsumerID: "0", PoolAddress: "ics1pool",
		Pool: []coin.Coin{{Denom: "transfer/channel-1/ufee", Amount: 7}}, AllowlistedDenoms: []string{"transfer/channel-1/ufee"}, LastDistribution: 40})
	for _, want := range []string{"consumer 0, pool account ics1pool", "pool: 7 transfer/channel-1/ufee", "allowlisted: transfer/channel-1/ufee", "last distribution height: 40"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in\n%s", want, buf.String())
		}
	}
}

func TestPrintConsumerDetail(t *testing.T) {
	d := interchain.ConsumerDetailJSON{
		ConsumerJSON: interchain.ConsumerJSON{ConsumerID: "3", ChainID: "consumer-1", Phase: "running", Owner: "ics1owner",
			TopN: 95, ClientID: "07-tendermint-0", ChannelID: "channel-1", SpawnTime: "2030-01-02T15:04:05Z", LaunchHeight: 12},
		Metadata:       []byte(`{"name": "one", "description": "", "metadata": ""}`),
		Initialization: []byte(`{"spawn_time": "1893596645000000000", "initial_height": "1", "params": {"unbonding_period": "1728000s", "consumer_redistribution_fraction": {"numerator": "75", "denominator": "100"}}}`),
		Infraction: []byte(`{"double_sign": {"slash_fraction": {"numerator": "5", "denominator": "100"}, "jail_duration": "0s", "tombstone": true},
			"downtime": {"slash_fraction": {"numerator": "0", "denominator": "1"}, "jail_duration": "600s", "tombstone": false}}`),
		PowerShaping: interchain.PowerShapingJSON{TopN: 95, ValidatorsPowerCap: 30, Allowlist: []string{"icsvalcons1a", "icsvalcons1b"}},
		OptedIn:      []string{"icsvalcons1a"},
		ValidatorSet: []interchain.ConsumerValidatorJSON{{ProviderAddress: "icsvalcons1a", ConsumerAddress: "icsvalcons1c", ConsumerKey: "ab", Power: 42}},
	}
	var buf bytes.Buffer
	printConsumerDetail(&buf, d)
	out := buf.String()
	for _, want := range []string{
		"consumer 3: consumer-1 (running)", "owner:", "ics1owner", "name:", "one", "channel-1",
		"unbonding period:", "480h0m0s", "redistribution fraction:", "0.75",
		"top N:", "95%", "validators power cap:", "30%", "validator set cap:", "none", "icsvalcons1a, icsvalcons1b", "denylist:",
		"double sign:", "slash 0.05, jailed forever, tombstoned", "downtime:", "slash 0, jailed 10m0s",
		"opted in (1):", "validator set (1):", "42",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	// An answer the command cannot read says so rather than print zeros.
	d.Initialization = []byte(`{"initial_height": true}`)
	buf.Reset()
	printConsumerDetail(&buf, d)
	if !strings.Contains(buf.String(), "use -o json") {
		t.Errorf("unreadable answer printed as\n%s", buf.String())
	}
}

func TestPrintConsumers(t *testing.T) {
	var buf bytes.Buffer
	printConsumers(&buf, []interchain.ConsumerJSON{
		{ConsumerID: "0", ChainID: "consumer-1", Phase: "running", TopN: 100, Validators: 4, ClientID: "07-tendermint-0", ChannelID: "channel-0", SpawnTime: "2030-01-02T15:04:05Z"},
		{ConsumerID: "1", ChainID: "consumer-2", Phase: "registered"},
	})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "CONSUMER_ID CHAIN_ID PHASE TOP_N VALIDATORS CLIENT CHANNEL SPAWN_TIME" ||
		strings.Join(strings.Fields(lines[1]), " ") != "0 consumer-1 running 100 4 07-tendermint-0 channel-0 2030-01-02T15:04:05Z" ||
		strings.Join(strings.Fields(lines[2]), " ") != "1 consumer-2 registered 0 0 - - -" {
		t.Fatalf("table:\n%s", buf.String())
	}
	buf.Reset()
	printConsumers(&buf, nil)
	if buf.String() != "no consumers\n" {
		t.Fatalf("empty table: %q", buf.String())
	}
}

func TestPrintNextFeeDistribution(t *testing.T) {
	var buf bytes.Buffer
	printNextFeeDistribution(&buf, interchain.NextFeeDistributionJSON{CurrentHeight: 1003, DistributionFraction: "3/4", NextHeight: 1010, BlocksPerDistribution: 1000, ChannelID: "channel-1",
		ProviderFeePoolAddr: "ics1pool", ConsumerID: "0", Pending: []interchain.PendingCoinJSON{{Denom: "stake", Amount: 25}, {Denom: "uatom", Amount: 3}}})
	want := "current height:    1003\nnext transmission: 1010 (every 1000 blocks)\npending:           25stake,3uatom\nchannel:           channel-1\n" +
		"provider address:  ics1pool\nconsumer id:       0\nconsumer keeps:    3/4\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	printNextFeeDistribution(&buf, interchain.NextFeeDistributionJSON{BlocksPerDistribution: 1000})
	if !strings.Contains(buf.String(), "next transmission: - (every 1000 blocks)\npending:           -\nchannel:           -\n") {
		t.Fatalf("before the CCV channel:\n%s", buf.String())
	}
}
