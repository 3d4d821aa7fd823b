# Generated from docs/papers/lstm.md by tools/extract; edit the note, not this file. (sha256 of the lines below: d439ea69e79d9b0e)

# docs/papers/lstm.md:82
"""LSTM written from its gates, in PyTorch's layout (gate order i, f, g, o).

Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 1997; the
forget gate from Gers, Schmidhuber & Cummins 2000.
"""

import torch


def lstm_cell(x, state, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One step. x: (B, I); state: (h, c), each (B, H); weight_ih: (4H, I); weight_hh: (4H, H).

    Returns (h', c'), each (B, H). Same arguments and result as nn.LSTMCell.
    """
    h, c = state
    gates = x @ weight_ih.T + h @ weight_hh.T  # (B, 4H)
    if bias_ih is not None:
        gates = gates + bias_ih + bias_hh
    i, f, g, o = gates.chunk(4, dim=1)  # each (B, H), in PyTorch's order
    i = torch.sigmoid(i)  # input gate
    f = torch.sigmoid(f)  # forget gate
    g = torch.tanh(g)  # candidate cell content
    o = torch.sigmoid(o)  # output gate
    c = f * c + i * g  # c_t = f_t * c_{t-1} + i_t * g_t: the constant error carousel
    h = o * torch.tanh(c)  # h_t = o_t * tanh(c_t)
    return h, c


def lstm(xs, state, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the cell over a sequence. xs: (T, B, I), time-major like nn.LSTM.

    Returns (outputs (T, B, H), (h_T, c_T)).
    """
    outputs = []
    for x in xs:  # x: (B, I)
        state = lstm_cell(x, state, weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(state[0])
    return torch.stack(outputs), state  # (T, B, H)
