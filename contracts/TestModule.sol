// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface ISafeModuleManager {
    function execTransactionFromModule(address to, uint256 value, bytes calldata data, uint8 operation) external returns (bool success);

    function execTransactionFromModuleReturnData(address to, uint256 value, bytes calldata data, uint8 operation)
        external
        returns (bool success, bytes memory returnData);
}

/// @title TestModule
/// @notice Tests only: a Safe module (enabled on a Safe by its owners) that lets its deployer move the Safe's funds
///         without the owners' signatures, as allowance or payroll modules do.
contract TestModule {
    address public immutable operator;

    constructor() {
        operator = msg.sender;
    }

    /// @notice Has `safe` run one call (operation 0: call, 1: delegatecall); `returnData` picks the Safe's entry point.
    function execute(address safe, address to, uint256 value, bytes calldata data, uint8 operation, bool returnData) external returns (bool) {
        require(msg.sender == operator, "only the operator");
        if (returnData) {
            (bool success, ) = ISafeModuleManager(safe).execTransactionFromModuleReturnData(to, value, data, operation);
            return success;
        }
        return ISafeModuleManager(safe).execTransactionFromModule(to, value, data, operation);
    }
}
