package ibcgo

import (
	"fmt"
	"unicode/utf8"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/abci-ics/ics/provider"
)

// Type URLs of the provider's evidence messages in the reference's proto.
const (
	URLSubmitConsumerMisbehaviour = "/interchain_security.ccv.provider.v1.MsgSubmitConsumerMisbehaviour"
	URLSubmitConsumerDoubleVoting = "/interchain_security.ccv.provider.v1.MsgSubmitConsumerDoubleVoting"
)

// fields reads a proto3 message of length-delimited fields only (strings
// and embedded messages), keeping the raw bytes of each field number in
// want. A wanted field that appears twice, a wanted field of another wire
// type, and malformed input are ErrInvalidMsg; other fields are skipped.
func fields(url string, bz []byte, want ...protowire.Number) (map[protowire.Number][]byte, error) {
	out := map[protowire.Number][]byte{}
	wanted := map[protowire.Number]bool{}
	for _, n := range want {
		wanted[n] = true
	}
	for len(bz) > 0 {
		num, typ, n := protowire.ConsumeTag(bz)
		if n < 0 {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidMsg, url, protowire.ParseError(n))
		}
		bz = bz[n:]
		if !wanted[num] {
			n = protowire.ConsumeFieldValue(num, typ, bz)
			if n < 0 {
				return nil, fmt.Errorf("%w: %s: field %d: %w", ErrInvalidMsg, url, num, protowire.ParseError(n))
			}
			bz = bz[n:]
			continue
		}
		if typ != protowire.BytesType {
			return nil, invalid("%s: field %d has wire type %d, want bytes", url, num, typ)
		}
		if _, dup := out[num]; dup {
			return nil, invalid("%s: field %d appears twice", url, num)
		}
		v, n := protowire.ConsumeBytes(bz)
		if n < 0 {
			return nil, fmt.Errorf("%w: %s: field %d: %w", ErrInvalidMsg, url, num, protowire.ParseError(n))
		}
		out[num] = v
		bz = bz[n:]
	}
	return out, nil
}

// text returns a string field, which must be UTF-8.
func text(url string, f map[protowire.Number][]byte, n protowire.Number) (string, error) {
	s := string(f[n])
	if !utf8.ValidString(s) {
		return "", invalid("%s: field %d is not UTF-8", url, n)
	}
	return s, nil
}

// required returns an embedded message field, which must be present.
func required(url, what string, f map[protowire.Number][]byte, n protowire.Number) ([]byte, error) {
	v, ok := f[n]
	if !ok || len(v) == 0 {
		return nil, invalid("%s: no %s", url, what)
	}
	return v, nil
}

// registerProvider translates the provider's evidence messages:
// MsgSubmitConsumerMisbehaviour {string submitter = 1; Misbehaviour
// misbehaviour = 2; string consumer_id = 3} and
// MsgSubmitConsumerDoubleVoting {string submitter = 1;
// DuplicateVoteEvidence duplicate_vote_evidence = 2; Header
// infraction_block_header = 3; string consumer_id = 4}. The embedded
// messages go to icsd's messages as their bytes, which icsd's handlers
// decode.
func registerProvider() {
	providerURLs[URLSubmitConsumerMisbehaviour] = true
	add(URLSubmitConsumerMisbehaviour, ModuleProvider, func(bz []byte, prefix string) (Msg, error) {
		url := URLSubmitConsumerMisbehaviour
		f, err := fields(url, bz, 1, 2, 3)
		if err != nil {
			return Msg{}, err
		}
		submitter, err := text(url, f, 1)
		if err != nil {
			return Msg{}, err
		}
		consumerID, err := text(url, f, 3)
		if err != nil {
			return Msg{}, err
		}
		mb, err := required(url, "misbehaviour", f, 2)
		if err != nil {
			return Msg{}, err
		}
		return finish(ModuleProvider, submitter, prefix, func(from []byte) (gogoproto.Message, error) {
			return &provider.MsgSubmitConsumerMisbehaviour{Submitter: from, ConsumerId: consumerID, Misbehaviour: mb}, nil
		})
	})
	providerURLs[URLSubmitConsumerDoubleVoting] = true
	add(URLSubmitConsumerDoubleVoting, ModuleProvider, func(bz []byte, prefix string) (Msg, error) {
		url := URLSubmitConsumerDoubleVoting
		f, err := fields(url, bz, 1, 2, 3, 4)
		if err != nil {
			return Msg{}, err
		}
		submitter, err := text(url, f, 1)
		if err != nil {
			return Msg{}, err
		}
		consumerID, err := text(url, f, 4)
		if err != nil {
			return Msg{}, err
		}
		ev, err := required(url, "duplicate vote evidence", f, 2)
		if err != nil {
			return Msg{}, err
		}
		h, err := required(url, "infraction block header", f, 3)
		if err != nil {
			return Msg{}, err
		}
		return finish(ModuleProvider, submitter, prefix, func(from []byte) (gogoproto.Message, error) {
			return &provider.MsgSubmitConsumerDoubleVoting{Submitter: from, ConsumerId: consumerID, DuplicateVoteEvidence: ev, InfractionBlockHeader: h}, nil
		})
	})
}
