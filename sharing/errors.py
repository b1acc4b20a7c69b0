"""One exception tree for the whole package.

Every error a user can cause derives from :class:`SharingError`; the CLI
prints its message as one line and exits non-zero.  Contract revert reasons
are kept here as constants so that tests and the CLI match on names, never
on string literals scattered through the code.
"""

from __future__ import annotations


class SharingError(Exception):
    """Root of every error raised on purpose by ``sharing``."""

    exit_code = 1


class InputError(SharingError, ValueError):
    """A user-supplied value is malformed or out of range."""

    exit_code = 2


class SolverError(SharingError, RuntimeError):
    """A numerical solver did not converge to the requested tolerance."""


class ChainError(SharingError):
    """The chain could not be reached, or it is not the chain we expected."""


class DeploymentError(ChainError):
    """A deployment file is missing, stale or for another network."""


class RevertError(ChainError):
    """A contract call reverted; ``reason`` is the revert string."""

    def __init__(self, reason: str, function: str | None = None) -> None:
        self.reason = reason
        self.function = function
        where = f"{function}: " if function else ""
        super().__init__(f"{where}reverted: {reason}")


class AccessDenied(SharingError, PermissionError):
    """A pool read was refused by the on-chain access rule or the TLP marking."""


class Revert:
    """Revert reasons of the contracts (``"<contract_snake>: <reason>"``)."""

    MISSING_ROLE = "access_control: account is missing role"
    RENOUNCE_OTHERS = "access_control: can only renounce roles for itself"
    ACCESS_EPOCHS_OUT_OF_BOUNDS = "ais_alliance: access epochs out of bounds"
    ALREADY_A_MEMBER = "ais_alliance: already a member"
    ALREADY_A_PANELLIST = "ais_alliance: already a panellist"
    CALLER_IS_NOT_A_MEMBER = "ais_alliance: caller is not a member"
    CALLER_IS_NOT_A_PANELLIST = "ais_alliance: caller is not a panellist"
    COMMITMENT_EXISTS = "ais_alliance: commitment exists"
    COUNT_OUT_OF_BOUNDS = "ais_alliance: count out of bounds"
    DECAY_OUT_OF_BOUNDS = "ais_alliance: decay out of bounds"
    DUPLICATE_CONTENT = "ais_alliance: duplicate content"
    DUPLICATE_OBSERVABLE = "ais_alliance: duplicate observable"
    EMPTY_SEMANTIC_KEY = "ais_alliance: empty semantic key"
    NO_ELIGIBLE_PANEL = "ais_alliance: no eligible panel"
    NO_PANEL = "ais_alliance: no panel"
    NO_SURPLUS = "ais_alliance: no surplus"
    SEAT_NOT_ELIGIBLE = "ais_alliance: seat not eligible"
    EMPTY_COMMITMENT = "ais_alliance: empty commitment"
    EPOCH_LENGTH_OUT_OF_BOUNDS = "ais_alliance: epoch length out of bounds"
    INDICATOR_NOT_PENDING = "ais_alliance: indicator not pending"
    MULTIPLIER_OUT_OF_BOUNDS = "ais_alliance: multiplier out of bounds"
    NO_DEBTS = "ais_alliance: no debts"
    NO_SUCH_COMMITMENT = "ais_alliance: no such commitment"
    NOT_A_MEMBER = "ais_alliance: not a member"
    NOT_A_PANELLIST = "ais_alliance: not a panellist"
    NOT_DECIDED_YET = "ais_alliance: not decided yet"
    PANEL_STILL_VOTING = "ais_alliance: panel still voting"
    NOTHING_TO_CLAIM = "ais_alliance: nothing to claim"
    NOTHING_TO_FUND = "ais_alliance: nothing to fund"
    PANEL_IS_FULL = "ais_alliance: panel is full"
    PANELLIST_VOTES_ON_OWN_FIRM = "ais_alliance: panellist votes on own firm"
    PENALTY_OUT_OF_BOUNDS = "ais_alliance: penalty out of bounds"
    PRICE_BOUNDS_OUT_OF_ORDER = "ais_alliance: price bounds out of order"
    QUORUM_OUT_OF_BOUNDS = "ais_alliance: quorum out of bounds"
    QUORUM_WOULD_NOT_BE_A_MAJORITY = "ais_alliance: quorum would not be a majority"
    RECOVERY_OUT_OF_BOUNDS = "ais_alliance: recovery out of bounds"
    REVEAL_IN_THE_COMMIT_BLOCK = "ais_alliance: reveal in the commit block"
    REVEAL_WINDOW_CLOSED = "ais_alliance: reveal window closed"
    REWARD_OUT_OF_BOUNDS = "ais_alliance: reward out of bounds"
    SCOPE_OUT_OF_ORDER = "ais_alliance: scope out of order"
    SCORE_OUT_OF_RANGE = "ais_alliance: score out of range"
    SEAT_ALREADY_VOTED = "ais_alliance: seat already voted"
    SEVERITY_OUT_OF_ORDER = "ais_alliance: severity out of order"
    TIERS_OUT_OF_ORDER = "ais_alliance: tiers out of order"
    UNKNOWN_CATEGORY = "ais_alliance: unknown category"
    UNKNOWN_CLASS = "ais_alliance: unknown class"
    UNKNOWN_SCOPE = "ais_alliance: unknown scope"
    UNKNOWN_TIER = "ais_alliance: unknown tier"
    VOTING_CLOSED = "ais_alliance: voting closed"
    VOTING_NOT_OPEN = "ais_alliance: voting not open"
    WINDOW_OUT_OF_BOUNDS = "ais_alliance: window out of bounds"
    ZERO_ADDRESS = "ais_alliance: zero address"
    NOT_PAUSED = "pausable: contract is not paused"
    PAUSED = "pausable: contract is paused"
    MEDIAN_OF_NOTHING = "reward_math: median of nothing"
    # PesimSettlement and pesim_math (PESIM on chain, sharing.chain.pesim)
    ALREADY_REGISTERED = "pesim_settlement: already registered"
    ALREADY_SUBMITTED = "pesim_settlement: already submitted"
    CALLER_IS_NOT_A_PARTICIPANT = "pesim_settlement: caller is not a participant"
    COLLATERAL_OUT_OF_BOUNDS = "pesim_settlement: collateral out of bounds"
    DUPLICATE_PARTICIPANT = "pesim_settlement: duplicate participant"
    INVESTMENT_OUT_OF_RANGE = "pesim_settlement: investment out of range"
    MESSAGE_DOES_NOT_MATCH_COMMITMENT = "pesim_settlement: message does not match commitment"
    MESSAGE_FOR_A_NON_SUBMITTER = "pesim_settlement: message for a non-submitter"
    MESSAGES_CLOSED = "pesim_settlement: messages closed"
    MESSAGES_STILL_OPEN = "pesim_settlement: messages still open"
    NEGATIVE_INVESTMENT = "pesim_settlement: negative investment"
    NEGATIVE_PRICE = "pesim_settlement: negative price"
    NO_SUCH_MESSAGE = "pesim_settlement: no such message"
    NOTHING_TO_WITHDRAW = "pesim_settlement: nothing to withdraw"
    PERIOD_OUT_OF_BOUNDS = "pesim_settlement: period out of bounds"
    PRICE_OUT_OF_RANGE = "pesim_settlement: price out of range"
    REGISTRATION_CLOSED = "pesim_settlement: registration closed"
    REGISTRATION_COMPLETE = "pesim_settlement: registration complete"
    REGISTRATION_INCOMPLETE = "pesim_settlement: registration incomplete"
    REGISTRATION_STILL_OPEN = "pesim_settlement: registration still open"
    ROUND_NOT_OPEN = "pesim_settlement: round not open"
    TOO_FEW_PARTICIPANTS = "pesim_settlement: too few participants"
    UNKNOWN_DESIGN = "pesim_settlement: unknown design"
    UNKNOWN_ROUND = "pesim_settlement: unknown round"
    WEI_PER_UNIT_OUT_OF_BOUNDS = "pesim_settlement: wei per unit out of bounds"
    WRONG_COLLATERAL = "pesim_settlement: wrong collateral"
    WRONG_DESIGN = "pesim_settlement: wrong design"
    WRONG_MESSAGE_COUNT = "pesim_settlement: wrong message count"
    WRONG_MESSAGE_LENGTH = "pesim_settlement: wrong message length"
    PESIM_ZERO_ADDRESS = "pesim_settlement: zero address"
    RESIDUAL_OUT_OF_RANGE = "pesim_math: residual out of range"
