package ccv

import (
	"testing"

	"github.com/abci-ics/ics/types/address"
)

func TestConsumerParamsRewardFields(t *testing.T) {
	addr := address.Encode("consumer", address.Module("treasury"))
	for _, tc := range []struct {
		channel, addr string
		ok            bool
	}{
		{"", "", true},
		{"channel-3", addr, true},
		{"chan 3", "", false},
		{"", "consumer1notanaddress", false},
	} {
		p := DefaultConsumerParams()
		p.DistributionTransmissionChannel, p.ConsumerRedistributionAddress = tc.channel, tc.addr
		if err := p.Validate(); (err == nil) != tc.ok {
			t.Errorf("channel %q, address %q: %v, want ok %v", tc.channel, tc.addr, err, tc.ok)
		}
	}
}
