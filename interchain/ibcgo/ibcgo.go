package ibcgo

import (
	"bytes"
	"fmt"
	"sort"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// Layer is what runs the icsd messages: the chain's interchain layer
// (interchain.IBC, and so interchain.Provider and interchain.Consumer).
type Layer interface {
	HandleMsg(s state.Store, b interchain.Block, signer []byte, typeURL string, msg []byte) ([]abci.Event, error)
}

// Handler runs one encoded ibc-go message for the transaction signer in
// block b.
type Handler func(s state.Store, b interchain.Block, signer, msg []byte) ([]abci.Event, error)

// Event type and attribute keys of the message event, as the Cosmos SDK
// names them.
const (
	EventTypeMessage   = "message"
	AttributeKeyAction = "action"
	AttributeKeyModule = "module"
	AttributeKeySender = "sender"
)

// Msg is an ibc-go message translated: the icsd message to run, the
// address that must have signed the transaction, and what the message
// event says.
type Msg struct {
	Native gogoproto.Message
	Signer []byte
	// Sender is the signer as the message spelled it (bech32).
	Sender string
	// Module is the SDK module the message belongs to.
	Module string
}

// translation decodes, checks and converts one ibc-go message type.
type translation struct {
	module string
	decode func(bz []byte, prefix string) (Msg, error)
}

// table is every ibc-go message type this package translates, by type
// URL; provider marks the provider's own.
var table = map[string]translation{}

var providerURLs = map[string]bool{}

// register adds the translation of the message type of T: signer reads the
// bech32 signer of a message and convert checks it and builds the icsd
// message for the decoded signer.
func register[T any, PT interface {
	*T
	gogoproto.Message
	Unmarshal([]byte) error
}](module string, signer func(PT) string, convert func(m PT, from []byte) (gogoproto.Message, error)) {
	url := interchain.TypeURL(PT(new(T)))
	add(url, module, func(bz []byte, prefix string) (Msg, error) {
		m := PT(new(T))
		if err := unmarshal(url, bz, m); err != nil {
			return Msg{}, err
		}
		return finish(module, signer(m), prefix, func(from []byte) (gogoproto.Message, error) { return convert(m, from) })
	})
}

// add registers a translation under url; a second one is a wiring error.
func add(url, module string, decode func(bz []byte, prefix string) (Msg, error)) {
	if _, dup := table[url]; dup {
		panic(fmt.Sprintf("ibcgo: %s registered twice", url))
	}
	table[url] = translation{module: module, decode: decode}
}

// unmarshal decodes bz into m, turning a failure, or a panic of generated
// code on adversarial input, into ErrInvalidMsg.
func unmarshal(url string, bz []byte, m interface{ Unmarshal([]byte) error }) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: decoding panicked: %v", ErrInvalidMsg, url, r)
		}
	}()
	if err := m.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidMsg, url, err)
	}
	return nil
}

// finish decodes the bech32 signer and converts the message for it.
func finish(module, sender, prefix string, convert func(from []byte) (gogoproto.Message, error)) (Msg, error) {
	from, err := address.Decode(prefix, sender)
	if err != nil {
		// The address error is flattened so that the code is ErrInvalidSigner's.
		return Msg{}, fmt.Errorf("%w: %q: %v", ErrInvalidSigner, sender, err)
	}
	native, err := convert(from)
	if err != nil {
		return Msg{}, err
	}
	return Msg{Native: native, Signer: from, Sender: sender, Module: module}, nil
}

// Decode translates the ibc-go message msg of typeURL for a chain whose
// addresses have the bech32 prefix prefix, without reading state. Errors:
// ErrInvalidMsg, ErrInvalidSigner, ErrUnsupported, and interchain's
// ErrUnknownMsg for a type URL it does not translate.
func Decode(typeURL string, msg []byte, prefix string) (Msg, error) {
	t, ok := table[typeURL]
	if !ok {
		return Msg{}, fmt.Errorf("%w: %q", interchain.ErrUnknownMsg, typeURL)
	}
	return t.decode(msg, prefix)
}

// TypeURLs returns the ibc-go type URLs Routes handles (the provider's
// evidence messages with provider), sorted.
func TypeURLs(provider bool) []string {
	var out []string
	for u := range table {
		if provider || !providerURLs[u] {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// Routes returns the handlers of the ibc-go core and ICS-20 messages,
// run by l on a chain of bech32 prefix prefix, by type URL.
func Routes(l Layer, prefix string) map[string]Handler { return routes(l, prefix, false) }

// ProviderRoutes is Routes with the provider's evidence messages,
// MsgSubmitConsumerMisbehaviour and MsgSubmitConsumerDoubleVoting; l must
// be a provider's layer.
func ProviderRoutes(l Layer, prefix string) map[string]Handler { return routes(l, prefix, true) }

func routes(l Layer, prefix string, provider bool) map[string]Handler {
	out := map[string]Handler{}
	for _, url := range TypeURLs(provider) {
		out[url] = handler(l, prefix, url)
	}
	return out
}

// handler translates a message of url, requires its signer to be the
// transaction's, and runs the icsd message through l.
func handler(l Layer, prefix, url string) Handler {
	return func(s state.Store, b interchain.Block, signer, bz []byte) ([]abci.Event, error) {
		m, err := Decode(url, bz, prefix)
		if err != nil {
			return nil, err
		}
		if len(signer) == 0 || !bytes.Equal(m.Signer, signer) {
			return nil, fmt.Errorf("%w: message signer %s, transaction signer %s", ErrSignerMismatch, m.Sender, address.Show(prefix, signer))
		}
		native, err := gogoproto.Marshal(m.Native)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: encoding %s: %w", ErrInvalidMsg, url, interchain.TypeURL(m.Native), err)
		}
		events, err := l.HandleMsg(s, b, signer, interchain.TypeURL(m.Native), native)
		if err != nil {
			return nil, err
		}
		return append([]abci.Event{messageEvent(url, m.Module, m.Sender)}, events...), nil
	}
}

// messageEvent is the event the Cosmos SDK emits for each message.
func messageEvent(url, module, sender string) abci.Event {
	return abci.Event{Type: EventTypeMessage, Attributes: []abci.EventAttribute{
		{Key: AttributeKeyAction, Value: url, Index: true},
		{Key: AttributeKeySender, Value: sender, Index: true},
		{Key: AttributeKeyModule, Value: module, Index: true},
	}}
}
