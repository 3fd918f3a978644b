"""Graph neural networks: GCN, GraphSAGE, GAT, GIN and an MLP baseline on Cora, the karate
club, a stochastic block model or an uploaded edge list."""
