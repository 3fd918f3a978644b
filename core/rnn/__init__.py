"""Recurrent networks: RNN, LSTM and GRU cells written out, seq2seq with attention, trained live."""
